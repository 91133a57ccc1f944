package pgtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// Transports a subscription can be followed over.
const (
	SSE       = "sse" // GraphQL over server-sent events
	WebSocket = "ws"  // graphql-transport-ws
)

// ErrCompleted is what Subscribe returns when the server completed the
// subscription: graphql-transport-ws "complete", or SSE's complete event.
var ErrCompleted = errors.New("the server completed the subscription")

// Subscribe runs a GraphQL subscription with key on the gateway whose base
// URL is url, over transport (SSE or WebSocket), and calls next with the
// data of each result, in order, until ctx ends (it returns nil then) or
// the stream fails or ends (it returns why, ErrCompleted when the server
// completed it). A result with errors ends it.
func Subscribe(ctx context.Context, transport, url, key, query string, next func(data json.RawMessage)) error {
	return SubscribeTo(ctx, transport, url, key, "", query, next)
}

// SubscribeTo is Subscribe acting on the organization target (a UUID, sent
// as Target-Organization-ID; "" for the key's own).
func SubscribeTo(ctx context.Context, transport, url, key, target, query string, next func(data json.RawMessage)) error {
	if transport == WebSocket {
		return subscribeWS(ctx, url, key, target, query, next)
	}
	return subscribeSSE(ctx, url, key, target, query, next)
}

func subscribeSSE(ctx context.Context, url, key, target, query string, next func(json.RawMessage)) error {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if target != "" {
		req.Header.Set("Target-Organization-ID", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return quiet(ctx, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if sc.Text() == "event: complete" {
			return ErrCompleted
		}
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		if err := result([]byte(data), next); err != nil {
			return err
		}
	}
	if err := quiet(ctx, sc.Err()); err != nil {
		return err
	}
	if ctx.Err() == nil {
		return fmt.Errorf("the event stream ended (status %d)", resp.StatusCode)
	}
	return nil
}

func subscribeWS(ctx context.Context, url, key, target, query string, next func(json.RawMessage)) error {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return quiet(ctx, err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	payload := map[string]string{"Authorization": "Bearer " + key}
	if target != "" {
		payload["Target-Organization-ID"] = target
	}
	init, _ := json.Marshal(payload)
	sub, _ := json.Marshal(map[string]string{"query": query})
	for _, m := range []message{{Type: "connection_init", Payload: init}, {ID: "1", Type: "subscribe", Payload: sub}} {
		if err := wsjson.Write(ctx, conn, m); err != nil {
			return quiet(ctx, err)
		}
	}
	for {
		var m message
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return quiet(ctx, err)
		}
		switch m.Type {
		case "connection_ack", "ping", "pong":
		case "next":
			if err := result(m.Payload, next); err != nil {
				return err
			}
		case "complete":
			if m.ID == "1" && len(m.Payload) == 0 {
				return ErrCompleted
			}
			return fmt.Errorf("graphql-transport-ws %s: %s", m.Type, m.Payload)
		default:
			return fmt.Errorf("graphql-transport-ws %s: %s", m.Type, m.Payload)
		}
	}
}

// result passes the data of one subscription result to next.
func result(raw []byte, next func(json.RawMessage)) error {
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 {
		return fmt.Errorf("subscription result %s: %v", raw, err)
	}
	next(r.Data)
	return nil
}

// quiet is err, unless ctx has ended: then the stream ended as asked.
func quiet(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Post runs a GraphQL operation with key on the gateway whose base URL is
// url and decodes its data into out. A transport error, a status other than
// 200 or any GraphQL error is the error. It is safe in any goroutine.
func Post(ctx context.Context, url, key, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, "POST", url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%d %s", resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Data, out)
}

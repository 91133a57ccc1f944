package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// Close codes of graphql-transport-ws (github.com/enisdenjo/graphql-ws,
// PROTOCOL.md).
const (
	closeInvalidMessage    = 4400
	closeUnauthorized      = 4401
	closeForbidden         = 4403
	closeInitTimeout       = 4408
	closeSubscriberExists  = 4409
	closeTooManyInitialise = 4429
)

// protocolGuard is gqlgen's WebSocket implementation (coder/websocket) with
// the rules of graphql-transport-ws that gqlgen's transport does not keep,
// enforced on each message before the transport reads it:
//
//   - ping is answered with pong at any time, before connection_init too;
//   - subscribe before the connection is acknowledged closes with 4401;
//   - a second connection_init closes with 4429;
//   - subscribe with the id of a subscription still running closes with
//     4409, rather than running both and leaking one;
//   - a message that is not JSON, or of a type a client does not send,
//     closes with 4400;
//   - the transport's init timeout closes with 4408, not 1002;
//   - error is an operation's last message: the complete gqlgen sends
//     after it is dropped.
//
// The legacy graphql-ws subprotocol passes through as gqlgen implements it.
type protocolGuard struct {
	transport.CoderWebsocketImplementation
}

func (g protocolGuard) Accept(w http.ResponseWriter, r *http.Request, options transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := g.CoderWebsocketImplementation.Accept(w, r, options)
	if err != nil || conn.Subprotocol() != "graphql-transport-ws" {
		return conn, err
	}
	return &guardedConn{WebsocketConn: conn, active: map[string]bool{}}, nil
}

// guardedConn is one graphql-transport-ws connection under protocolGuard.
type guardedConn struct {
	transport.WebsocketConn

	mu          sync.Mutex
	initialised bool // connection_init was received
	acked       bool // connection_ack was sent
	active      map[string]bool
	// errored are the operations that ended with error, whose complete is
	// not to be sent.
	errored map[string]bool
	closed  bool
}

// wsFrame is the envelope of a graphql-transport-ws message.
type wsFrame struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// NextReader returns the next message the transport is to handle, closing
// the connection on one the protocol forbids.
func (c *guardedConn) NextReader() (int, io.Reader, error) {
	for {
		kind, r, err := c.WebsocketConn.NextReader()
		if err != nil {
			return kind, r, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return kind, nil, err
		}
		var f wsFrame
		if err := json.Unmarshal(data, &f); err != nil {
			return kind, nil, c.refuse(closeInvalidMessage, "Invalid message received")
		}
		pass, err := c.admit(f)
		if err != nil {
			return kind, nil, err
		}
		if pass {
			return kind, bytes.NewReader(data), nil
		}
	}
}

// admit applies the protocol to one client message: whether the transport
// is to see it, or the error that closed the connection.
func (c *guardedConn) admit(f wsFrame) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch f.Type {
	case "ping":
		// Answered here, before or after connection_init alike.
		return false, c.WebsocketConn.WriteJSON(wsFrame{Type: "pong", Payload: f.Payload})
	case "pong":
		return true, nil
	case "connection_init":
		if c.initialised {
			return false, c.refuseLocked(closeTooManyInitialise, "Too many initialisation requests")
		}
		c.initialised = true
		return true, nil
	case "subscribe":
		switch {
		case !c.acked:
			return false, c.refuseLocked(closeUnauthorized, "Unauthorized")
		case f.ID == "":
			return false, c.refuseLocked(closeInvalidMessage, "Invalid message received: subscribe without an id")
		case c.active[f.ID]:
			return false, c.refuseLocked(closeSubscriberExists, "Subscriber for "+f.ID+" already exists")
		}
		c.active[f.ID] = true
		// An id reused after an error: its complete is sent again.
		delete(c.errored, f.ID)
		return true, nil
	case "complete":
		if !c.acked {
			return false, c.refuseLocked(closeUnauthorized, "Unauthorized")
		}
		// The id is free again at once, as the protocol's servers do.
		delete(c.active, f.ID)
		return true, nil
	}
	return false, c.refuseLocked(closeInvalidMessage, "Invalid message received: unknown type")
}

// WriteJSON sends a server message, noting the acknowledgement and the
// subscriptions that ended.
func (c *guardedConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var f wsFrame
	json.Unmarshal(data, &f)
	c.mu.Lock()
	switch f.Type {
	case "connection_ack":
		c.acked = true
	case "error":
		delete(c.active, f.ID)
		if c.errored == nil {
			c.errored = map[string]bool{}
		}
		c.errored[f.ID] = true
	case "complete":
		delete(c.active, f.ID)
		if c.errored[f.ID] {
			// "No further events will be sent" after error (PROTOCOL.md).
			delete(c.errored, f.ID)
			c.mu.Unlock()
			return nil
		}
	}
	c.mu.Unlock()
	return c.WebsocketConn.WriteJSON(json.RawMessage(data))
}

// WriteClose closes the connection once; the transport's close on an init
// timeout gets the protocol's code.
func (c *guardedConn) WriteClose(code int, message string) error {
	if message == "connection initialisation timeout" {
		code, message = closeInitTimeout, "Connection initialisation timeout"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuseLocked(code, message)
	return nil
}

func (c *guardedConn) refuse(code int, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refuseLocked(code, reason)
}

// refuseLocked closes the connection with code and reason (once), and
// returns the error that tells the transport it is closed.
func (c *guardedConn) refuseLocked(code int, reason string) error {
	if !c.closed {
		c.closed = true
		c.WebsocketConn.WriteClose(code, reason)
	}
	return transport.ErrWebsocketClosed
}

// SetReadLimit and SetReadDeadline keep the transport's payload limit and
// ping deadlines working through the guard.
func (c *guardedConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *guardedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"partnergraph/store"
)

// DefaultSchedule is the wait before each retry: about a day in all.
var DefaultSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour}

// Dispatcher delivers pending webhook deliveries. Several dispatchers (in
// several processes) may run on one database: each delivery is claimed by
// one of them.
type Dispatcher struct {
	DB     *store.DB
	Logger *slog.Logger
	Guard  Guard
	// Schedule is the wait before each retry; when it runs out the delivery
	// has failed.
	Schedule []time.Duration
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Poll is how often to look for due deliveries when not woken.
	Poll time.Duration
	// DisableAfter disables an endpoint whose deliveries have all failed
	// for this long.
	DisableAfter time.Duration
	// Concurrency is how many deliveries are in flight at once.
	Concurrency int
	// OnAttempt, when set, is told the outcome of each attempt (metrics).
	OnAttempt func(succeeded bool)
	// TracerProvider, when set, makes each attempt a span: a trace of its
	// own, holding the statements that record it.
	TracerProvider trace.TracerProvider

	wake   chan struct{}
	client *http.Client
	once   sync.Once
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		if d.Schedule == nil {
			d.Schedule = DefaultSchedule
		}
		if d.Timeout == 0 {
			d.Timeout = 10 * time.Second
		}
		if d.Poll == 0 {
			d.Poll = time.Second
		}
		if d.DisableAfter == 0 {
			d.DisableAfter = 24 * time.Hour
		}
		if d.Concurrency == 0 {
			d.Concurrency = 8
		}
		if d.Logger == nil {
			d.Logger = slog.Default()
		}
		d.wake = make(chan struct{}, 1)
		dialer := &net.Dialer{Timeout: d.Timeout, Control: d.Guard.control}
		d.client = &http.Client{
			Timeout:   d.Timeout,
			Transport: &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, Proxy: nil},
			// A redirect could lead anywhere: receivers answer in place.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
}

// Wake tells the dispatcher new deliveries may be due.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then returns once in-flight attempts finish.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	// A claim outlives the attempt it covers; if its process dies, another
	// (or the restarted one) takes the delivery over when it lapses.
	lease := d.Timeout*2 + 5*time.Second
	for {
		claimed, err := d.DB.ClaimDeliveries(ctx, d.Concurrency, lease)
		if err != nil && ctx.Err() == nil {
			d.Logger.Error("claim webhook deliveries", "error", err)
		}
		var wg sync.WaitGroup
		for _, del := range claimed {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d.deliver(context.WithoutCancel(ctx), del)
			}()
		}
		wg.Wait()
		if len(claimed) > 0 {
			// Delivering one event of an endpoint makes its next one due.
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-time.After(d.Poll):
		}
	}
}

// deliver makes one attempt and records it.
func (d *Dispatcher) deliver(ctx context.Context, del store.Delivery) {
	ctx, end := d.span(ctx, del)
	body, _ := json.Marshal(map[string]any{
		"type": del.Event.Type, "timestamp": del.Event.CreatedAt.UTC().Format(time.RFC3339Nano), "data": del.Event.Payload,
	})
	now := time.Now()
	at := store.Attempt{At: now.UTC()}
	retryAfter, err := d.post(ctx, del, body, now, &at)
	at.Latency = time.Since(now)
	if err != nil {
		at.Error = err.Error()
	}
	if !at.Succeeded {
		at.NextAttempt = d.next(del.Attempts, now, retryAfter)
		failingSince := now
		if del.FailingSince != nil {
			failingSince = *del.FailingSince
		}
		if now.Sub(failingSince) >= d.DisableAfter {
			at.DisableReason = fmt.Sprintf("Every delivery failed for %s; re-enable the endpoint once it is fixed.", d.DisableAfter)
		}
	}
	if d.OnAttempt != nil {
		d.OnAttempt(at.Succeeded)
	}
	if err := d.DB.RecordAttempt(ctx, del, at); err != nil {
		d.Logger.Error("record webhook attempt", "error", err, "delivery", del.ID)
	}
	end(at)
}

// span starts the span of an attempt at del, when tracing, and returns the
// function that ends it with the attempt's outcome. Its attributes name the
// endpoint by id and host: a URL's path or query may hold a token.
func (d *Dispatcher) span(ctx context.Context, del store.Delivery) (context.Context, func(store.Attempt)) {
	if d.TracerProvider == nil {
		return ctx, func(store.Attempt) {}
	}
	attrs := []attribute.KeyValue{
		attribute.Int64("partnergraph.webhook.endpoint_id", del.EndpointID),
		attribute.Int64("partnergraph.webhook.delivery_id", del.ID),
		attribute.Int("partnergraph.webhook.attempt", del.Attempts+1),
		attribute.String("partnergraph.event.id", del.Event.UUID),
		attribute.String("partnergraph.event.type", del.Event.Type),
	}
	if u, err := url.Parse(del.URL); err == nil {
		attrs = append(attrs, semconv.ServerAddress(u.Hostname()))
	}
	ctx, span := d.TracerProvider.Tracer("partnergraph/webhook").Start(ctx, "webhook delivery",
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, func(at store.Attempt) {
		span.SetAttributes(attribute.Bool("partnergraph.webhook.succeeded", at.Succeeded))
		// Not at.Error: a transport error quotes the whole URL.
		failure := "no answer"
		if at.ResponseStatus != nil {
			span.SetAttributes(semconv.HTTPResponseStatusCode(*at.ResponseStatus))
			failure = fmt.Sprintf("receiver answered %d", *at.ResponseStatus)
		}
		if !at.Succeeded {
			span.SetStatus(codes.Error, failure)
		}
		span.End()
	}
}

func (d *Dispatcher) post(ctx context.Context, del store.Delivery, body []byte, now time.Time, at *store.Attempt) (time.Duration, error) {
	ts := now.Unix()
	sig, err := Sign(del.Secrets, del.Event.UUID, ts, body)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "partnergraph-webhooks/1")
	req.Header.Set("webhook-id", del.Event.UUID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	status := resp.StatusCode
	at.ResponseStatus = &status
	if status >= 200 && status < 300 {
		at.Succeeded = true
		return 0, nil
	}
	return retryAfter(resp.Header.Get("Retry-After"), now), fmt.Errorf("receiver answered %d", status)
}

// next is when to try again after attempt n failed, or nil to give up: the
// schedule's wait with ±10% jitter, or longer if the receiver asked.
func (d *Dispatcher) next(attempts int, now time.Time, retryAfter time.Duration) *time.Time {
	if attempts >= len(d.Schedule) {
		return nil
	}
	wait := d.Schedule[attempts]
	wait += time.Duration((rand.Float64()*0.2 - 0.1) * float64(wait))
	wait = max(wait, retryAfter)
	t := now.Add(wait).UTC()
	return &t
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, 24*time.Hour)
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}

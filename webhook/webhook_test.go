package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/webhook"
)

// receiver is a real HTTP endpoint that verifies every delivery with the
// Standard Webhooks algorithm and answers as its script says.
type receiver struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	got    []delivery
	answer func(n int) (status int, delay time.Duration, header map[string]string)
	srv    *httptest.Server
}

type delivery struct {
	id, typ  string
	at       time.Time
	verified bool
}

func newReceiver(t *testing.T, answer func(n int) (int, time.Duration, map[string]string)) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	mac := hmac.New(sha256.New, r.key())
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	verified := false
	for _, sig := range strings.Fields(req.Header.Get("webhook-signature")) {
		verified = verified || hmac.Equal([]byte(sig), []byte(want))
	}
	var msg struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	json.Unmarshal(body, &msg)
	r.mu.Lock()
	n := len(r.got)
	r.got = append(r.got, delivery{id: id, typ: msg.Type, at: time.Now(), verified: verified})
	r.mu.Unlock()
	status, delay, header := r.answer(n)
	time.Sleep(delay)
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
}

func (r *receiver) key() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.secret
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

func ok(int) (int, time.Duration, map[string]string) { return 200, 0, nil }

// setup starts partnergraph, a receiver registered as a webhook endpoint
// of a fresh organization, and a dispatcher with a short schedule.
func setup(t *testing.T, dialect string, answer func(int) (int, time.Duration, map[string]string), d *webhook.Dispatcher) (*pgtest.Env, *pgtest.Org, *receiver, string) {
	env := pgtest.New(t, dialect)
	org := env.Org(t, "Acme")
	r := newReceiver(t, answer)
	var data struct {
		CreateWebhookEndpoint struct {
			Secret          string
			WebhookEndpoint struct{ ID string }
		}
	}
	env.Query(t, org.Write, `mutation($url: String!) { createWebhookEndpoint(input: {url: $url, eventTypes: ["tag.created", "tag.updated"]}) { secret webhookEndpoint { id } } }`,
		map[string]any{"url": r.srv.URL}, &data)
	secret := data.CreateWebhookEndpoint.Secret
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(raw) < 24 {
		t.Fatalf("secret must be whsec_ and at least 24 random bytes in base64: %q", secret)
	}
	r.secret = raw
	d.DB, d.Guard = env.DB, webhook.Guard{AllowPrivate: true}
	if d.Poll == 0 {
		d.Poll = 20 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return env, org, r, data.CreateWebhookEndpoint.WebhookEndpoint.ID
}

func createTags(t *testing.T, env *pgtest.Env, org *pgtest.Org, n int) {
	for range n {
		tags++
		env.Query(t, org.Write, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": fmt.Sprintf("tag-%03d", tags)}, nil)
	}
}

// tags numbers tag names across a test run, so each is new.
var tags int

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type attempt struct {
	ResponseStatus *int
	Error          *string
	Succeeded      bool
	Event          struct{ UUID string }
}

func attempts(t *testing.T, env *pgtest.Env, org *pgtest.Org, endpoint string) []attempt {
	var data struct {
		Node struct {
			Enabled        bool
			DisabledReason *string
			Attempts       struct{ Nodes []attempt }
		}
	}
	env.Query(t, org.Read, `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason
		attempts(first: 100) { nodes { responseStatus error succeeded event { uuid } } } } } }`, map[string]any{"id": endpoint}, &data)
	return data.Node.Attempts.Nodes
}

func TestDeliveriesAreSignedInOrderAndLogged(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env, org, r, endpoint := setup(t, dialect, ok, &webhook.Dispatcher{})
		createTags(t, env, org, 8)
		// A project event is not among the endpoint's types.
		env.Query(t, org.Write, `mutation { createProject(input: {name: "P"}) { project { id } } }`, nil, nil)
		waitFor(t, "8 deliveries", func() bool { return len(r.deliveries()) == 8 })
		var events struct {
			Events struct{ Nodes []struct{ UUID, Type string } }
		}
		env.Query(t, org.Read, `{ events(filter: {types: ["tag.created"]}) { nodes { uuid type } } }`, nil, &events)
		got := r.deliveries()
		for i, e := range events.Events.Nodes {
			if got[i].id != e.UUID || got[i].typ != "tag.created" || !got[i].verified {
				t.Fatalf("delivery %d: %+v, want event %s with a valid signature", i, got[i], e.UUID)
			}
		}
		// An attempt is logged once its receiver has answered: the last
		// one may still be committing when its delivery arrives.
		waitFor(t, "8 attempts logged", func() bool { return len(attempts(t, env, org, endpoint)) == 8 })
		if a := attempts(t, env, org, endpoint); !a[0].Succeeded || *a[0].ResponseStatus != 200 {
			t.Fatalf("attempt log: %+v", a)
		}
	})
}

func TestFailedDeliveriesAreRetried(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		// 500, then a timeout, then success.
		answer := func(n int) (int, time.Duration, map[string]string) {
			switch n {
			case 0:
				return 500, 0, nil
			case 1:
				return 200, 600 * time.Millisecond, nil
			}
			return 204, 0, nil
		}
		env, org, r, endpoint := setup(t, dialect, answer, &webhook.Dispatcher{Schedule: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}, Timeout: 300 * time.Millisecond})
		createTags(t, env, org, 2)
		waitFor(t, "both events delivered", func() bool {
			a := attempts(t, env, org, endpoint)
			return len(a) == 4 && a[3].Succeeded
		})
		a := attempts(t, env, org, endpoint)
		if a[0].Succeeded || *a[0].ResponseStatus != 500 || a[1].Succeeded || a[1].Error == nil || !a[2].Succeeded {
			t.Fatalf("want 500, timeout, success, success: %+v", a)
		}
		// The second event waited for the first: order per endpoint.
		if a[0].Event.UUID != a[1].Event.UUID || a[1].Event.UUID != a[2].Event.UUID || a[3].Event.UUID == a[0].Event.UUID {
			t.Fatalf("deliveries out of order: %+v", a)
		}
		got := r.deliveries()
		if got[0].id != got[1].id || got[1].id != got[2].id {
			t.Fatal("a retry must keep its webhook-id")
		}
	})
}

func TestRetryAfterAndGivingUpAndDisabling(t *testing.T) {
	answer := func(int) (int, time.Duration, map[string]string) {
		return 429, 0, map[string]string{"Retry-After": "1"}
	}
	d := &webhook.Dispatcher{Schedule: []time.Duration{10 * time.Millisecond}, DisableAfter: 500 * time.Millisecond}
	env, org, r, endpoint := setup(t, "sqlite", answer, d)
	createTags(t, env, org, 2)
	waitFor(t, "the first event to fail twice", func() bool { return len(r.deliveries()) >= 2 })
	got := r.deliveries()
	if gap := got[1].at.Sub(got[0].at); gap < 900*time.Millisecond {
		t.Fatalf("Retry-After: 1 not honoured: retried after %s", gap)
	}
	// After giving up on the first event, the second is tried; the endpoint
	// has failed for over DisableAfter by then and is disabled.
	waitFor(t, "the endpoint to be disabled", func() bool {
		var data struct{ Node struct{ Enabled bool } }
		env.Query(t, org.Read, `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled } } }`, map[string]any{"id": endpoint}, &data)
		return !data.Node.Enabled
	})
	var data struct {
		Node struct{ DisabledReason string }
	}
	env.Query(t, org.Read, `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { disabledReason } } }`, map[string]any{"id": endpoint}, &data)
	if data.Node.DisabledReason == "" {
		t.Fatal("a disabled endpoint says why")
	}
}

func TestRedeliverAndRotateSecret(t *testing.T) {
	env, org, r, endpoint := setup(t, "sqlite", ok, &webhook.Dispatcher{})
	createTags(t, env, org, 1)
	waitFor(t, "the delivery", func() bool { return len(r.deliveries()) == 1 })
	// Rotate: the old secret keeps verifying during the grace period.
	var rot struct {
		UpdateWebhookEndpoint struct{ Secret string }
	}
	env.Query(t, org.Write, `mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, rotateSecret: true}) { secret } }`, map[string]any{"id": endpoint}, &rot)
	if rot.UpdateWebhookEndpoint.Secret == "" {
		t.Fatal("rotation returns the new secret")
	}
	var events struct {
		Events struct{ Nodes []struct{ ID, UUID string } }
	}
	env.Query(t, org.Read, `{ events(filter: {types: ["tag.created"]}) { nodes { id uuid } } }`, nil, &events)
	env.Query(t, org.Write, `mutation($id: ID!) { redeliverEvent(input: {eventId: $id}) { event { id } } }`, map[string]any{"id": events.Events.Nodes[0].ID}, nil)
	waitFor(t, "the redelivery", func() bool { return len(r.deliveries()) == 2 })
	got := r.deliveries()
	if got[1].id != events.Events.Nodes[0].UUID || !got[1].verified {
		t.Fatalf("redelivery: %+v", got[1])
	}
	// With only the new secret the receiver verifies too.
	newKey, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(rot.UpdateWebhookEndpoint.Secret, "whsec_"))
	r.mu.Lock()
	r.secret = newKey
	r.mu.Unlock()
	createTags(t, env, org, 1)
	waitFor(t, "a delivery signed with the new secret", func() bool { return len(r.deliveries()) == 3 })
	if !r.deliveries()[2].verified {
		t.Fatal("the new secret does not verify")
	}
}

func TestEventsRecordEveryChange(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		ctx := context.Background()
		a := org.Actor()
		var count struct{ Events struct{ TotalCount int } }
		env.Query(t, org.Read, `{ events { totalCount } }`, nil, &count)
		before := count.Events.TotalCount
		stage1, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "One", Position: 1})
		pgtest.Must(t, err)
		stage2, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Two", Position: 2})
		pgtest.Must(t, err)
		p, err := env.DB.CreatePartner(ctx, a, pg.PartnerCreate{CompanyName: "TechCorp", Email: "a@b.co", PartnerType: pg.PartnerTypeCustomer, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
		pgtest.Must(t, err)
		ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, StageID: &stage1.ID})
		pgtest.Must(t, err)
		integrationPassword := "do-not-leak-me-123"
		_, _, err = env.DB.ConnectPartnerIntegration(ctx, a, pg.IntegrationConnect{PartnerID: p.ID, BusinessID: org.ID, Login: "login", Password: integrationPassword})
		pgtest.Must(t, err)
		env.Query(t, org.Write, `mutation($id: ID!, $s: ID!) { updatePartnership(input: {id: $id, stageId: $s, isSupport: true}) { clientMutationId } }`,
			map[string]any{"id": pg.GlobalID(pg.TypePartnership, ps.ID), "s": pg.GlobalID(pg.TypeStage, stage2.ID)}, nil)
		var data struct {
			Events struct {
				Nodes []struct {
					Type       string
					ResourceID string
					Actor      *struct{ Email string }
					Payload    map[string]any
				}
			}
		}
		env.Query(t, org.Read, `{ events(last: 3) { nodes { type resourceId actor { email } payload } } }`, nil, &data)
		n := data.Events.Nodes
		if len(n) != 3 || n[0].Type != "integration.connected" || n[1].Type != "partnership.updated" || n[2].Type != "partnership.stage_changed" {
			t.Fatalf("events: %+v", n)
		}
		changes, _ := n[1].Payload["changes"].(map[string]any)
		stage, _ := changes["stageId"].(map[string]any)
		if stage["from"] != float64(stage1.ID) || stage["to"] != float64(stage2.ID) || changes["isSupport"] == nil || n[1].Actor == nil {
			t.Fatalf("changes of the update: %+v", n[1].Payload)
		}
		raw, _ := json.Marshal(data)
		if strings.Contains(string(raw), integrationPassword) || strings.Contains(string(raw), "hash") {
			t.Fatalf("an event carries a secret: %s", raw)
		}
		// Every mutation has its event: as many events as changes made.
		env.Query(t, org.Read, `{ events { totalCount } }`, nil, &count)
		if n := count.Events.TotalCount - before; n != 7 { // 2 stages, partner, partnership, integration, update + stage change
			t.Fatalf("want 7 new events, got %d", n)
		}
	})
}

// TestUpdateEventShowsLinkChanges: an update's event reports a replaced
// tag or user list from what it was to what it is, and only when it changed;
// an update that changes nothing has no event.
func TestUpdateEventShowsLinkChanges(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		ctx := context.Background()
		a := org.Actor()
		p, err := env.DB.CreatePartner(ctx, a, pg.PartnerCreate{CompanyName: "TechCorp", Email: "a@b.co", PartnerType: pg.PartnerTypeCustomer, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
		pgtest.Must(t, err)
		ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID})
		pgtest.Must(t, err)
		t1, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: "One"})
		pgtest.Must(t, err)
		t2, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: "Two"})
		pgtest.Must(t, err)
		tag := func(tg *pg.Tag) string { return pg.GlobalID(pg.TypeTag, tg.ID) }
		ids := func(tags ...*pg.Tag) []any {
			out := []any{}
			for _, tg := range tags {
				out = append(out, float64(tg.ID))
			}
			return out
		}
		for _, c := range []struct {
			name  string
			input map[string]any
			want  any // changes.tagIds; nil: not reported
			none  bool
		}{
			{"tags added", map[string]any{"tagIds": []string{tag(t2), tag(t1)}}, map[string]any{"from": []any{}, "to": ids(t1, t2)}, false},
			{"same tags in another order", map[string]any{"tagIds": []string{tag(t1), tag(t2), tag(t1)}}, nil, true},
			{"tags untouched", map[string]any{"isSupport": true}, nil, false},
			{"tags cleared", map[string]any{"tagIds": []string{}}, map[string]any{"from": ids(t1, t2), "to": []any{}}, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				var data struct {
					Events struct {
						TotalCount int
						Nodes      []struct{ Payload map[string]any }
					}
				}
				last := `{ events(last: 1, filter: {types: ["partnership.updated"]}) { totalCount nodes { payload } } }`
				env.Query(t, org.Read, last, nil, &data)
				before := data.Events.TotalCount
				c.input["id"] = pg.GlobalID(pg.TypePartnership, ps.ID)
				env.Query(t, org.Write, `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { clientMutationId } }`,
					map[string]any{"in": c.input}, nil)
				env.Query(t, org.Read, last, nil, &data)
				if c.none {
					if data.Events.TotalCount != before {
						t.Fatalf("an update that changed nothing has an event: %v", data.Events.Nodes)
					}
					return
				}
				if data.Events.TotalCount != before+1 || len(data.Events.Nodes) != 1 {
					t.Fatalf("%d events before, after: %+v", before, data)
				}
				changes, _ := data.Events.Nodes[0].Payload["changes"].(map[string]any)
				got, reported := changes["tagIds"]
				if c.want == nil && reported || c.want != nil && !reflect.DeepEqual(got, c.want) {
					t.Fatalf("changes.tagIds = %v (reported %v), want %v; payload %v", got, reported, c.want, data.Events.Nodes[0].Payload)
				}
				if _, ok := changes["assignedUserIds"]; ok {
					t.Fatalf("assigned users reported changed: %v", changes)
				}
			})
		}
	})
}

func TestGuardRefusesPrivateAddresses(t *testing.T) {
	g := webhook.Guard{}
	for _, u := range []string{"http://127.0.0.1/x", "http://localhost:8080/", "http://10.0.0.8/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
		"http://[::1]/", "http://[fd00::1]/", "http://100.64.0.1/", "ftp://example.com/", "http://user:pass@93.184.216.34/", "not a url",
		// Special-purpose ranges beyond the private ones (IANA registries).
		"http://198.18.0.1/", "http://198.19.255.254/", "http://240.0.0.1/", "http://255.255.255.255/", "http://192.0.0.8/",
		"http://192.0.2.1/", "http://198.51.100.7/", "http://203.0.113.9/", "http://0.0.0.0/", "http://224.0.0.1/", "http://192.88.99.1/",
		// IPv6 forms that embed an IPv4 address, and IPv6 outside global unicast.
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::7f00:1]/", "http://[64:ff9b:1::a9fe:a9fe]/",
		"http://[2002:7f00:1::1]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[::127.0.0.1]/",
		"http://[2001:db8::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[::]/"} {
		if err := g.CheckURL(context.Background(), "url", u); pg.ErrorCode(err) != pg.BadUserInput {
			t.Errorf("%s: want BAD_USER_INPUT, got %v", u, err)
		}
	}
	for _, u := range []string{"https://93.184.216.34/hook", "https://93.184.216.34:8443/hook", "https://[2606:4700:4700::1111]/hook", "https://[::ffff:93.184.216.34]/hook"} {
		if err := g.CheckURL(context.Background(), "url", u); err != nil {
			t.Errorf("%s: a public address is allowed: %v", u, err)
		}
	}
	if err := (webhook.Guard{AllowPrivate: true}).CheckURL(context.Background(), "url", "http://127.0.0.1:9/x"); err != nil {
		t.Errorf("AllowPrivate allows loopback: %v", err)
	}
}

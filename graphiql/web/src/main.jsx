// The GraphiQL page of partnergraph: GraphiQL plus a bar where the API key
// is entered once, kept in localStorage and sent as a bearer token: in the
// Authorization header of queries and mutations, and in the connection_init
// payload of subscriptions, which run over a WebSocket (graphql-transport-ws).
import React, { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';

const STORAGE_KEY = 'partnergraph.apiKey';

const defaultQuery = `# Welcome to partnergraph. Enter your API key above, then run this query.
query Dashboard {
  viewer { user { name } organization { name } permission }
  partners(first: 5, orderBy: { field: COMPANY_NAME }) {
    totalCount
    nodes {
      companyName
      partnerType
      partnerships(first: 3) {
        nodes {
          project { name }
          tier { name }
          stage { name allowedNextStages { name } }
          tags { name }
          assignedUsers { name }
          customFieldValues { field { name } text number date boolean select { label } multiSelect { label } }
        }
      }
    }
  }
}
`;

// websocketURL is the ws: or wss: URL of the endpoint, on the page's host.
function websocketURL(endpoint) {
  const url = new URL(endpoint, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function App({ endpoint }) {
  const [key, setKey] = useState(() => localStorage.getItem(STORAGE_KEY) || '');
  const [draft, setDraft] = useState(key);
  // One socket per key, opened with the first subscription; a bad key is
  // closed with 4403, which GraphiQL shows.
  const wsClient = useMemo(
    () => createClient({
      url: websocketURL(endpoint),
      connectionParams: key ? { Authorization: 'Bearer ' + key } : {},
      lazy: true,
    }),
    [endpoint, key],
  );
  useEffect(() => () => wsClient.dispose(), [wsClient]);
  const fetcher = useMemo(
    () => createGraphiQLFetcher({ url: endpoint, headers: key ? { Authorization: 'Bearer ' + key } : {}, wsClient }),
    [endpoint, key, wsClient],
  );
  const save = (e) => {
    e.preventDefault();
    const next = draft.trim();
    localStorage.setItem(STORAGE_KEY, next);
    setKey(next);
  };
  return (
    <div className="pg-app">
      <form className="pg-bar" onSubmit={save}>
        <strong className="pg-title">partnergraph</strong>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" spellCheck="false" placeholder="pgk_…"
          value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button id="save-api-key" type="submit">{key ? 'Change key' : 'Use key'}</button>
        <span className="pg-status" id="api-key-status">
          {key ? 'Using key ' + key.slice(0, 12) + '…' : 'No key yet: requests will be refused.'}
        </span>
      </form>
      <div className="pg-ide">
        <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />
      </div>
    </div>
  );
}

const root = document.getElementById('graphiql');
createRoot(root).render(<App endpoint={root.dataset.endpoint} />);

#!/usr/bin/env bash
# The README's API session: a request goes from submission through referral to approval.
# Run it beside a server started with `make serve` (or `highnorth serve`) on the same database:
#   scripts/api_session.sh            # BASE=http://127.0.0.1:8000, database ./highnorth.db
# tests/test_api_session.py runs it against a fresh server, so the README stays true.
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8000}
HN=${HN:-.venv/bin/highnorth}
PY=${PY:-.venv/bin/python}
field() { "$PY" -c "import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }

# users and their tokens (only the hash of a token is stored; it is shown once)
"$HN" users add us-liaison --role requester --nation USA
"$HN" users add nor-approver --role approver
US=$("$HN" tokens create us-liaison)
NO=$("$HN" tokens create nor-approver)

# a US destroyer asks to call at Kirkenes, in the easternmost part of Finnmark
REQ=$(curl -sS -X POST "$BASE/requests" -H "Authorization: Bearer $US" \
  -H 'Content-Type: application/json' --data @examples/api/kirkenes-port-call.geojson)
echo "$REQ" | field '[(r["id"], r["state"], r["outcome"]) for r in d["requests"]]'
ID=$(echo "$REQ" | field 'd["requests"][0]["id"]')

# the approver's queue: referred requests, with the rules that referred them
curl -sS "$BASE/requests?state=referred" -H "Authorization: Bearer $NO" \
  | field '[(r["id"], [x["rule"] for x in r["decision"]["reasons"] if x["effect"] == "refer"]) for r in d["requests"]]'

# approve, saying which version was read (If-Match); a second approval is refused with 409
curl -sS -X POST "$BASE/requests/$ID/approve" -H "Authorization: Bearer $NO" -H 'If-Match: "1"' \
  -H 'Content-Type: application/json' -d '{"note": "cleared with the Joint Headquarters"}' \
  | field '(d["state"], d["version"])'
curl -sS -X POST "$BASE/requests/$ID/approve" -H "Authorization: Bearer $NO" | field 'd["error"]["message"]'

# what happened, in the hash-chained audit log, and its verification
curl -sS "$BASE/audit?request=$ID" -H "Authorization: Bearer $NO" \
  | field '[(e["seq"], e["actor"], e["action"]) for e in d["entries"]]'
curl -sS "$BASE/audit/verify" -H "Authorization: Bearer $NO" | field '(d["ok"], d["entries"])'

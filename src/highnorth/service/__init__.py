"""The application layer: the use cases every face shares (DESIGN.md §5). A face (an API route, a
CLI command, the web application, a report) parses its transport, calls one use case here and
renders the answer; validation and permission checks live here, once.

| module          | use cases                                                                   |
|-----------------|-----------------------------------------------------------------------------|
| `config`        | `Settings`: the one configuration, from the environment and options          |
| `context`       | `Service` (policy, screener, store, settings, caches) and `load_service`     |
| `inputs`        | strict JSON, Activity GeoJSON within the limits, the input hash              |
| `queries`       | kind, nation, time, version in force, attributes: checked once, in the face's field names |
| `screening`     | screen a body (API) or a file (CLI); explain one activity                    |
| `maps`          | decision maps and their diffs (cached per policy on a server)                |
| `requests`      | submit, list, read, and move requests, with the nation checks                |
| `reservations`  | reserved requests as 4D volumes, and their conflicts                         |
| `policies`      | a policy's versions, rules, diffs; validating a policy sent as files         |
| `zones`         | zones in force, one zone, importing OpenAir or GeoJSON zone files            |
| `admin`         | users, tokens, the audit chain, the schema                                    |
| `loading`       | policies and screeners for a one-shot process, loaded once                   |
| `rendering`     | decisions and maps as tables, Markdown, Decision JSON, GeoJSON               |

Modules are imported by name (`from highnorth.service.requests import submit`); this package
imports none of them, so a command pays only for what it uses.
"""

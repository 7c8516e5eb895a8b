"""Exercises (docs/exercises.md): a whole plan screened at once, the duties that exist only at
exercise level (the OSCE Vienna Document counts), and what would change a "no" (alternatives).
Pure: it uses the engine and the rules, and no face, store or transport.

| module          | what                                                                  |
|-----------------|-----------------------------------------------------------------------|
| `duties`        | the exercise-level counts on the host's territory, judged by the rules  |
| `alternatives`  | time, place and actor alternatives for referred and denied activities   |
| `report`        | the plan's report: decisions, duties, alternatives and the deadlines    |
"""

"""`govsite check`: the quality gate run before publishing.

One module per family of rules (links, metadata, content, timeliness, interpretation,
output); `rules` lists every rule, `inspect` runs them all over a compiled site, `gate`
plugs them into the build and `health` turns the findings into the health report.
"""

"""The incremental engine of `govsite build` and `govsite serve`: a live site model and an
explicit dependency graph.

    state.py       the live model: parsed documents, catalogues, theme, Site, planned pages,
                   the graph and a digest of every file written; `load` builds it all once
    graph.py       page → what it read (planner identity + template reads) and the inverse
    update.py      the update step: changed documents → affected pages → atomic writes
    machine.py     feeds, sitemap and open data, made again only when what they show changed
    output.py      single-file atomic writes into the live build folder
    live.py        the site kept loaded: sorts watcher events, updates or reloads
    searchsync.py  the search index, brought up to date in the background
    rebuild.py     `govsite build` with the cache: the update step started from a snapshot
    snapshot.py    the one store: the engine's state saved after a build, under one key
    pickling.py    how the snapshot saves and makes again govsite's frozen dataclasses
    persist.py     the snapshot and the stamp saved after the command has its answer
    spare.py       the second build folder an update stages into

docs/architecture.md draws it.
"""

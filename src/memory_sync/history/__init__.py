"""The one pass over an agent's history: sources, ledger, parallel and resumed reads, index."""

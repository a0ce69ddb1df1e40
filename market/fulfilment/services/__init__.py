"""Fulfilment services (writes), one module per use-case family:
`partners` (service areas, assignment, tokens), `parcels` (status flow),
`webhooks` (outgoing, signed, retried), `ledger` (seller payouts)."""

"""Traceability services (writes). Import from the submodules:
`traceability.services.events`, `.farms`, `.lots`, `.labels`, `.links`."""

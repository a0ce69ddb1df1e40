import pytest

from . import provider_sim


@pytest.fixture(scope="session")
def _sim_server():
    sim = provider_sim.start()
    yield sim
    provider_sim.stop(sim)


@pytest.fixture
def sim(_sim_server, settings):
    """The provider simulator, emptied, with the site's settings pointing at
    it (SMS keys set, Zalo token and templates set, a short timeout)."""
    fresh = provider_sim.ProviderSim()
    for name in ("requests", "faults", "request_ids", "no_zalo"):
        getattr(_sim_server, name).clear()
    _sim_server.balance = fresh.balance
    _sim_server.zalo_token = fresh.zalo_token
    _sim_server.refresh_tokens.clear()
    _sim_server.refresh_tokens.update(fresh.refresh_tokens)
    _sim_server.issued = 0
    settings.ESMS_URL = _sim_server.url
    settings.ESMS_API_KEY = _sim_server.api_key
    settings.ESMS_SECRET_KEY = _sim_server.secret_key
    settings.ESMS_BRANDNAME = "NGUONQUE"
    settings.ZALO_ZNS_URL = _sim_server.url
    settings.ZALO_ACCESS_TOKEN = _sim_server.zalo_token
    settings.ZALO_TEMPLATES = {
        "order_to_pack": "401001",
        "certificate_expiring": "401002",
        "copied_code": "401003",
    }
    settings.ZALO_OAUTH_URL = _sim_server.url
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    return _sim_server

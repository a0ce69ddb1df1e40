"""The eSMS and Zalo ZNS clients against our simulator of their APIs: the
request shapes they document, their error codes, and the faults (500,
timeouts, not-JSON answers) sorted into permanent and retryable errors."""

from __future__ import annotations

import pytest

from market.notifications.clients import (
    ChannelRejected,
    ChannelUnavailable,
    EsmsClient,
    TokenExpired,
    ZnsClient,
)

from . import provider_sim


@pytest.fixture(scope="module")
def server():
    sim = provider_sim.start()
    yield sim
    provider_sim.stop(sim)


@pytest.fixture
def esms(server):
    server.requests.clear()
    server.faults.clear()
    return EsmsClient(
        api_key=server.api_key,
        secret_key=server.secret_key,
        brandname="NGUONQUE",
        base_url=server.url,
        timeout=0.5,
    )


@pytest.fixture
def zns(server):
    server.requests.clear()
    server.faults.clear()
    server.no_zalo.clear()
    return ZnsClient(access_token=server.zalo_token, base_url=server.url, timeout=0.5)


def test_esms_sends_the_documented_body_and_returns_the_smsid(esms, server):
    sms_id = esms.send(
        phone="84905123456", text="Nguon Que: don moi", unicode=False, request_id="nq-1"
    )

    assert len(sms_id) == 32
    (request,) = server.sms()
    assert request.body == {
        "ApiKey": "esms-key",
        "SecretKey": "esms-secret",
        "Phone": "84905123456",
        "Content": "Nguon Que: don moi",
        "SmsType": "2",
        "IsUnicode": "0",
        "Sandbox": "0",
        "RequestId": "nq-1",
        "Brandname": "NGUONQUE",
    }


def test_esms_unicode_flag_follows_the_text(esms, server):
    esms.send(phone="84905123456", text="Nguồn Quê", unicode=True, request_id="nq-2")
    assert server.sms()[-1].body["IsUnicode"] == "1"


def test_esms_invalid_phone_is_permanent(esms):
    with pytest.raises(ChannelRejected) as caught:
        esms.send(phone="8412", text="x", unicode=False, request_id="nq-3")
    assert caught.value.code == "108"


def test_esms_wrong_keys_are_permanent(esms):
    esms.secret_key = "wrong"
    with pytest.raises(ChannelRejected) as caught:
        esms.send(phone="84905123456", text="x", unicode=False, request_id="nq-4")
    assert caught.value.code == "101"


def test_esms_empty_balance_is_retryable(esms, server):
    server.balance = 0
    try:
        with pytest.raises(ChannelUnavailable) as caught:
            esms.send(phone="84905123456", text="x", unicode=False, request_id="nq-5")
    finally:
        server.balance = 1000
    assert caught.value.code == "103"


def test_esms_retry_of_an_accepted_request_counts_as_sent(esms):
    first = esms.send(phone="84905123456", text="x", unicode=False, request_id="nq-6")
    again = esms.send(phone="84905123456", text="x", unicode=False, request_id="nq-6")
    assert first and again == ""


@pytest.mark.parametrize("fault", ["500", "slow", "garbage"])
def test_esms_faults_are_retryable(esms, server, fault):
    server.fail_next(1, fault)
    with pytest.raises(ChannelUnavailable):
        esms.send(phone="84905123456", text="x", unicode=False, request_id=f"f-{fault}")


def test_esms_connection_refused_is_retryable():
    client = EsmsClient(api_key="k", secret_key="s", base_url="http://127.0.0.1:9")
    with pytest.raises(ChannelUnavailable):
        client.send(phone="84905123456", text="x", unicode=False, request_id="nq-7")


def test_zns_sends_token_header_and_template_and_returns_msg_id(zns, server):
    msg_id = zns.send(
        phone="84905123456",
        template_id="401001",
        template_data={"order_code": "NQ7K3M9P"},
        tracking_id="nq-8",
    )

    assert msg_id
    (request,) = server.zns()
    assert request.headers["access_token"] == "zalo-token-1"
    assert request.headers["content-type"] == "application/json"
    assert request.body == {
        "phone": "84905123456",
        "template_id": "401001",
        "template_data": {"order_code": "NQ7K3M9P"},
        "tracking_id": "nq-8",
    }


def test_zns_expired_token_is_retryable_and_named(zns):
    zns.access_token = "expired"
    with pytest.raises(TokenExpired) as caught:
        zns.send(
            phone="84905123456",
            template_id="401001",
            template_data={"a": "b"},
            tracking_id="t",
        )
    assert caught.value.code == "-124"
    assert isinstance(caught.value, ChannelUnavailable)


@pytest.mark.parametrize(
    ("phone", "template", "code"),
    [("0905", "401001", "-108"), ("84905123456", "999", "-109")],
)
def test_zns_invalid_phone_or_template_is_permanent(zns, phone, template, code):
    with pytest.raises(ChannelRejected) as caught:
        zns.send(
            phone=phone, template_id=template, template_data={"a": "b"}, tracking_id="t"
        )
    assert caught.value.code == code


def test_zns_number_without_zalo_is_permanent(zns, server):
    server.no_zalo.add("84905123456")
    with pytest.raises(ChannelRejected) as caught:
        zns.send(
            phone="84905123456",
            template_id="401001",
            template_data={"a": "b"},
            tracking_id="t",
        )
    assert caught.value.code == "-118"


@pytest.mark.parametrize("fault", ["500", "slow", "garbage"])
def test_zns_faults_are_retryable(zns, server, fault):
    server.fail_next(1, fault)
    with pytest.raises(ChannelUnavailable):
        zns.send(
            phone="84905123456",
            template_id="401001",
            template_data={"a": "b"},
            tracking_id="t",
        )

"""Signature presets: published vectors, valid and invalid events, and settings that
cannot work."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac

import pytest

from apiclient.protocols.errors import WebhookConfigError
from apiclient.protocols.webhook_events import SignatureConfig
from apiclient.protocols.webhook_signatures import check_signature_config, verify

NOW = 1_700_000_000.0
BODY = b'{"event": "order.paid", "amount": 4200}'

# -- helpers that sign like the senders do --------------------------------------------


def stripe_header(secret: str, body: bytes, t: int | str, *extra: str) -> str:
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return ",".join([f"t={t}", f"v1={sig}", *extra])


def standard_headers(
    secret: str, body: bytes, t: int | str, msg_id: str = "msg_1", *, signature: str | None = None
) -> list[tuple[str, str]]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{t}.".encode() + body, hashlib.sha256).digest()
    sig = signature if signature is not None else "v1," + base64.b64encode(mac).decode()
    return [("webhook-id", msg_id), ("webhook-timestamp", str(t)), ("webhook-signature", sig)]


STD_SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


# -- none ----------------------------------------------------------------------------


def test_no_scheme_is_unchecked() -> None:
    verdict = verify(SignatureConfig(), [("x-hub-signature-256", "sha256=00")], BODY)
    assert verdict.state == "unchecked"
    assert verdict.reason == "No signature check is set up."


# -- github --------------------------------------------------------------------------

GITHUB = SignatureConfig(scheme="github", secret="It's a Secret to Everybody")
GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_published_vector_is_valid_with_header_in_any_case() -> None:
    for name in ("X-Hub-Signature-256", "x-hub-signature-256", "X-HUB-SIGNATURE-256"):
        verdict = verify(GITHUB, [(name, GITHUB_VECTOR)], b"Hello, World!")
        assert verdict.state == "valid", verdict.reason
    assert "GitHub" in verdict.reason and "matches" in verdict.reason


def test_github_hex_digest_is_accepted_in_upper_case() -> None:
    upper = "sha256=" + GITHUB_VECTOR.removeprefix("sha256=").upper()
    assert verify(GITHUB, [("x-hub-signature-256", upper)], b"Hello, World!").state == "valid"


def test_github_wrong_secret_and_tampered_body_are_invalid_with_causes() -> None:
    wrong = SignatureConfig(scheme="github", secret="another secret")
    for config, body in ((wrong, b"Hello, World!"), (GITHUB, b"Hello, World?")):
        verdict = verify(config, [("x-hub-signature-256", GITHUB_VECTOR)], body)
        assert verdict.state == "invalid"
        assert "does not match the body with this secret" in verdict.reason
        assert "secret" in verdict.reason and "proxy" in verdict.reason


def test_github_missing_header_is_unsigned_naming_the_header() -> None:
    verdict = verify(GITHUB, [("x-hub-signature", "sha1=abc")], b"Hello, World!")
    assert verdict.state == "unsigned"
    assert "X-Hub-Signature-256" in verdict.reason


@pytest.mark.parametrize(
    "value", ["757107ea", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d", "sha256=xyz", "sha256"]
)
def test_github_malformed_header_says_the_expected_shape(value: str) -> None:
    verdict = verify(GITHUB, [("x-hub-signature-256", value)], b"Hello, World!")
    assert verdict.state == "invalid"
    assert "expected 'sha256=' followed by 64 hex digits" in verdict.reason


# -- stripe --------------------------------------------------------------------------

STRIPE = SignatureConfig(scheme="stripe", secret="whsec_test_secret", tolerance_s=300)


def test_stripe_valid_uses_the_whole_secret_string_as_key() -> None:
    header = stripe_header("whsec_test_secret", BODY, int(NOW) - 10)
    verdict = verify(STRIPE, [("Stripe-Signature", header)], BODY, now=NOW)
    assert verdict.state == "valid", verdict.reason
    assert verdict.reason == "Stripe signature v1 matches."
    # Keyed without the prefix, it would not match.
    stripped = stripe_header("test_secret", BODY, int(NOW))
    assert verify(STRIPE, [("stripe-signature", stripped)], BODY, now=NOW).state == "invalid"


def test_stripe_any_of_several_v1_signatures_may_match_and_v0_is_ignored() -> None:
    good = stripe_header("whsec_test_secret", BODY, int(NOW))
    t, v1 = good.split(",")
    header = f"{t},v1={'0' * 64},{v1},v0={'f' * 64}"
    assert verify(STRIPE, [("stripe-signature", header)], BODY, now=NOW).state == "valid"
    bad = f"{t},v1={'0' * 64},v1={'1' * 64}"
    verdict = verify(STRIPE, [("stripe-signature", bad)], BODY, now=NOW)
    assert verdict.state == "invalid"
    assert verdict.reason.startswith("None of the 2 v1 signatures in Stripe-Signature match")


def test_stripe_old_timestamp_says_by_how_much() -> None:
    header = stripe_header("whsec_test_secret", BODY, int(NOW) - 412)
    verdict = verify(STRIPE, [("stripe-signature", header)], BODY, now=NOW)
    assert verdict.state == "invalid"
    assert "timestamp is 412 s old, tolerance 300 s" in verdict.reason


def test_stripe_future_timestamp_is_invalid() -> None:
    header = stripe_header("whsec_test_secret", BODY, int(NOW) + 900)
    verdict = verify(STRIPE, [("stripe-signature", header)], BODY, now=NOW)
    assert verdict.state == "invalid"
    assert "900 s in the future, tolerance 300 s" in verdict.reason


def test_stripe_tolerance_zero_turns_the_age_check_off() -> None:
    config = SignatureConfig(scheme="stripe", secret="whsec_test_secret", tolerance_s=0)
    header = stripe_header("whsec_test_secret", BODY, int(NOW) - 86_400)
    verdict = verify(config, [("stripe-signature", header)], BODY, now=NOW)
    assert verdict.state == "valid"
    assert "not checked" in verdict.reason


def test_stripe_wrong_secret_and_tampered_body() -> None:
    header = stripe_header("whsec_other", BODY, int(NOW))
    verdict = verify(STRIPE, [("stripe-signature", header)], BODY, now=NOW)
    assert verdict.state == "invalid" and "with this secret" in verdict.reason
    header = stripe_header("whsec_test_secret", BODY, int(NOW))
    tampered = verify(STRIPE, [("stripe-signature", header)], BODY + b" ", now=NOW)
    assert tampered.state == "invalid" and "does not match the body" in tampered.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("garbage", "expected 't=<unix seconds>,v1=<hex signature>'"),
        (f"v1={'a' * 64}", "no t= timestamp"),
        (f"t=yesterday,v1={'a' * 64}", "expected whole seconds since 1970"),
        (f"t={int(NOW)},v0={'a' * 64}", "no v1 signature (found: v0)"),
        (f"t={int(NOW)},v1=nothex", "v1 is not 64 hex digits"),
    ],
)
def test_stripe_malformed_headers(value: str, expected: str) -> None:
    verdict = verify(STRIPE, [("stripe-signature", value)], BODY, now=NOW)
    assert verdict.state == "invalid"
    assert expected in verdict.reason


def test_stripe_missing_header_is_unsigned() -> None:
    verdict = verify(STRIPE, [("content-type", "application/json")], BODY, now=NOW)
    assert verdict.state == "unsigned"
    assert "Stripe-Signature" in verdict.reason


# -- standard webhooks ---------------------------------------------------------------

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_HEADERS = [
    ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
    ("webhook-timestamp", "1614265330"),
    ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
]
SPEC_BODY = b'{"test": 2432232314}'


def test_standard_webhooks_published_vector() -> None:
    """The test vector of the Standard Webhooks reference libraries."""
    config = SignatureConfig(scheme="standard", secret=SPEC_SECRET)
    verdict = verify(config, SPEC_HEADERS, SPEC_BODY, now=1614265330 + 5)
    assert verdict.state == "valid", verdict.reason
    assert verdict.reason == "Standard Webhooks signature v1 matches."
    # The prefix is optional: the bare base64 key verifies the same.
    bare = SignatureConfig(scheme="standard", secret=SPEC_SECRET.removeprefix("whsec_"))
    assert verify(bare, SPEC_HEADERS, SPEC_BODY, now=1614265330).state == "valid"


def test_standard_ignores_other_versions_and_accepts_any_matching_v1() -> None:
    config = SignatureConfig(scheme="standard", secret=SPEC_SECRET)
    several = "v1a,AAAA v1,bm9wZQ== " + SPEC_HEADERS[2][1]
    headers = [*SPEC_HEADERS[:2], ("Webhook-Signature", several)]
    assert verify(config, headers, SPEC_BODY, now=1614265330).state == "valid"
    only_other = [*SPEC_HEADERS[:2], ("webhook-signature", "v1a,AAAA v2,BBBB")]
    verdict = verify(config, only_other, SPEC_BODY, now=1614265330)
    assert verdict.state == "invalid"
    assert "no v1 signature (found: v1a, v2)" in verdict.reason


def test_standard_several_v1_none_matching() -> None:
    config = SignatureConfig(scheme="standard", secret=STD_SECRET)
    headers = standard_headers(STD_SECRET, BODY, int(NOW), signature="v1,bm9wZQ== v1,AAAA")
    verdict = verify(config, headers, BODY, now=NOW)
    assert verdict.state == "invalid"
    assert "None of the 2 v1 signatures" in verdict.reason


def test_standard_valid_and_tampered() -> None:
    config = SignatureConfig(scheme="standard", secret=STD_SECRET)
    headers = standard_headers(STD_SECRET, BODY, int(NOW))
    assert verify(config, headers, BODY, now=NOW).state == "valid"
    tampered = verify(config, headers, BODY.replace(b"4200", b"4201"), now=NOW)
    assert tampered.state == "invalid"
    assert "does not match" in tampered.reason and "proxy" in tampered.reason
    other_id = [("webhook-id", "msg_2"), *headers[1:]]
    assert verify(config, other_id, BODY, now=NOW).state == "invalid"


def test_standard_wrong_secret() -> None:
    other = "whsec_" + base64.b64encode(b"another key of thirty-two bytes!").decode()
    config = SignatureConfig(scheme="standard", secret=other)
    verdict = verify(config, standard_headers(STD_SECRET, BODY, int(NOW)), BODY, now=NOW)
    assert verdict.state == "invalid"
    assert "with this secret" in verdict.reason


@pytest.mark.parametrize(("offset", "words"), [(-412, "412 s old"), (301, "301 s in the future")])
def test_standard_timestamp_outside_tolerance(offset: int, words: str) -> None:
    config = SignatureConfig(scheme="standard", secret=STD_SECRET, tolerance_s=300)
    headers = standard_headers(STD_SECRET, BODY, int(NOW) + offset)
    verdict = verify(config, headers, BODY, now=NOW)
    assert verdict.state == "invalid"
    assert f"timestamp is {words}, tolerance 300 s" in verdict.reason


def test_standard_malformed_and_missing_parts() -> None:
    config = SignatureConfig(scheme="standard", secret=STD_SECRET)
    good = standard_headers(STD_SECRET, BODY, int(NOW))
    cases = {
        "no-comma": "expected space-separated 'v1,<base64 signature>' entries",
        "v1,%%%notbase64": "is not base64",
    }
    for signature, expected in cases.items():
        headers = [*good[:2], ("webhook-signature", signature)]
        verdict = verify(config, headers, BODY, now=NOW)
        assert verdict.state == "invalid" and expected in verdict.reason
    bad_time = [good[0], ("webhook-timestamp", "2024-01-01T00:00:00Z"), good[2]]
    verdict = verify(config, bad_time, BODY, now=NOW)
    assert verdict.state == "invalid" and "whole seconds since 1970" in verdict.reason
    verdict = verify(config, [good[2]], BODY, now=NOW)
    assert verdict.state == "invalid"
    assert "webhook-id and webhook-timestamp are missing" in verdict.reason
    verdict = verify(config, good[:2], BODY, now=NOW)
    assert verdict.state == "unsigned" and "webhook-signature" in verdict.reason


# -- generic hmac --------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_hmac_every_algorithm_and_encoding(algorithm: str, encoding: str) -> None:
    config = SignatureConfig(
        scheme="hmac",
        secret="s3cret",
        header="X-Shop-Hmac",
        algorithm=algorithm,  # type: ignore[arg-type]
        encoding=encoding,  # type: ignore[arg-type]
        prefix="sig=",
    )
    digest = hmac.new(b"s3cret", BODY, algorithm).digest()
    text = digest.hex().upper() if encoding == "hex" else base64.b64encode(digest).decode()
    verdict = verify(config, [("x-shop-hmac", "sig=" + text)], BODY)
    assert verdict.state == "valid", verdict.reason
    assert f"HMAC-{algorithm.upper()}" in verdict.reason
    assert verify(config, [("x-shop-hmac", "sig=" + text)], BODY + b"!").state == "invalid"


def test_hmac_malformed_missing_and_wrong_secret() -> None:
    config = SignatureConfig(scheme="hmac", secret="s3cret", header="X-Sig", prefix="sha256=")
    verdict = verify(config, [("x-sig", "abc")], BODY)
    assert verdict.state == "invalid"
    assert "expected 'sha256=' followed by 64 hex digits" in verdict.reason
    verdict = verify(config, [("x-other", "abc")], BODY)
    assert verdict.state == "unsigned" and "X-Sig" in verdict.reason
    wrong = hmac.new(b"other", BODY, "sha256").hexdigest()
    verdict = verify(config, [("x-sig", "sha256=" + wrong)], BODY)
    assert verdict.state == "invalid" and "with this secret" in verdict.reason


# -- settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "field"),
    [
        (SignatureConfig(scheme="github", secret=""), "signature.secret"),
        (SignatureConfig(scheme="stripe", secret=""), "signature.secret"),
        (SignatureConfig(scheme="standard", secret="whsec_not base64!"), "signature.secret"),
        (SignatureConfig(scheme="hmac", secret="x", header=""), "signature.header"),
        (SignatureConfig(scheme="hmac", secret="x", header="X Sig:"), "signature.header"),
        (SignatureConfig(scheme="stripe", secret="x", tolerance_s=-1), "signature.tolerance_s"),
    ],
)
def test_config_that_cannot_work_is_refused_and_verify_does_not_judge(
    config: SignatureConfig, field: str
) -> None:
    with pytest.raises(WebhookConfigError) as caught:
        check_signature_config(config)
    assert caught.value.field == field
    assert caught.value.message
    verdict = verify(config, [("x-hub-signature-256", GITHUB_VECTOR)], BODY)
    assert verdict.state == "unchecked"
    assert verdict.reason.startswith("The signature was not checked: ")
    assert caught.value.message[1:] in verdict.reason


@pytest.mark.parametrize(
    "config",
    [
        SignatureConfig(),
        SignatureConfig(scheme="none", secret=""),
        SignatureConfig(scheme="github", secret="x"),
        SignatureConfig(scheme="standard", secret=SPEC_SECRET),
        SignatureConfig(scheme="hmac", secret="x", header="X-Signature", tolerance_s=0),
    ],
)
def test_config_that_works_passes(config: SignatureConfig) -> None:
    check_signature_config(config)


# -- hostile header values: verify() answers, never raises ----------------------------

HMAC_HEX = SignatureConfig(scheme="hmac", secret="s3cret", header="X-Sig", prefix="sha256=")
HMAC_B64 = SignatureConfig(scheme="hmac", secret="s3cret", header="X-Sig", encoding="base64")
STANDARD = SignatureConfig(scheme="standard", secret=STD_SECRET, tolerance_s=300)
SCHEMES = {"github": GITHUB, "stripe": STRIPE, "standard": STANDARD, "hmac-hex": HMAC_HEX}
SCHEMES["hmac-base64"] = HMAC_B64
HOSTILE = {
    "non-ascii": "éé",
    "non-ascii-64": "é" * 64,
    "fullwidth-digits": "\uff10" * 64,
    "arabic-digits": "\u0660" * 64,
    "lone-surrogate": "\ud800",
    "nul": "\x00",
    "empty": "",
    "spaces": "   ",
    "whitespace": "\t\r\n\u00a0",
    "separators": "=,= ,",
    "huge": "a" * 1_000_000,
    "huge-digits": "9" * 5000,
    "overflow-digits": "9" * 400,
}


def hostile_requests(scheme: str, value: str) -> list[list[tuple[str, str]]]:
    """Requests carrying ``value`` in every place the scheme reads, alone and repeated."""
    t = int(NOW)
    if scheme == "github":
        name = "X-Hub-Signature-256"
        forms = [value, f"sha256={value}"]
    elif scheme == "stripe":
        name = "Stripe-Signature"
        forms = [value, f"t={value},v1={'a' * 64}", f"t={t},v1={value}", f"t={t},v1={value}=,v0"]
    elif scheme == "standard":
        good = standard_headers(STD_SECRET, BODY, t)
        requests = [[*good[:i], (good[i][0], value), *good[i + 1 :]] for i in range(3)]
        requests.append([*good[:2], ("webhook-signature", f"v1,{value}")])
        requests.append([*[(name, value) for name, _ in good], *good])  # repeated, hostile first
        return requests
    else:
        name = "X-Sig"
        forms = [value, f"sha256={value}"]
    requests = [[(name, form)] for form in forms]
    requests += [[(name, form), (name.lower(), form)] for form in forms]  # repeated
    return requests


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_hostile_header_values_get_a_verdict_not_an_exception(scheme: str, value: str) -> None:
    for tolerance_s in (0, 300):
        config = dataclasses.replace(SCHEMES[scheme], tolerance_s=tolerance_s)
        for headers in hostile_requests(scheme, value):
            verdict = verify(config, headers, BODY, now=NOW)
            assert verdict.state in ("invalid", "unsigned"), (headers, verdict)
            assert verdict.reason and len(verdict.reason) < 600


@pytest.mark.parametrize(
    "value", ["éé", "é" * 64, "\uff10" * 64, "\ud800", "\x00"], ids=lambda v: repr(v[:4])
)
def test_a_valid_signature_still_matches_beside_a_non_ascii_one(value: str) -> None:
    t = int(NOW)
    valid = stripe_header("whsec_test_secret", BODY, t).split(",")[1]
    for header in (f"t={t},v1={value},{valid}", f"t={t},{valid},v1={value}"):
        verdict = verify(STRIPE, [("Stripe-Signature", header)], BODY, now=NOW)
        assert verdict.state == "valid", verdict.reason
    repeated = [("Stripe-Signature", f"t={t},v1={value}"), ("Stripe-Signature", valid)]
    assert verify(STRIPE, repeated, BODY, now=NOW).state == "valid"

    github = hmac.new(GITHUB.secret.encode(), BODY, hashlib.sha256).hexdigest()
    name = "X-Hub-Signature-256"
    headers = [(name, f"sha256={value}"), (name, f"sha256={github}")]
    assert verify(GITHUB, headers, BODY).state == "valid"

    good = standard_headers(STD_SECRET, BODY, t)
    both = [*good[:2], ("webhook-signature", f"v1,{value} {good[2][1]}")]
    assert verify(STANDARD, both, BODY, now=NOW).state == "valid"

    digest = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    headers = [("X-Sig", f"sha256={value}"), ("X-Sig", f"sha256={digest}")]
    assert verify(HMAC_HEX, headers, BODY).state == "valid"


def test_a_signed_timestamp_too_large_for_a_date_is_refused_by_its_shape() -> None:
    for t in ("9" * 19, "1" + "0" * 400, "9" * 5000):
        with_sig = stripe_header("whsec_test_secret", BODY, t)  # really signed
        verdict = verify(STRIPE, [("Stripe-Signature", with_sig)], BODY, now=NOW)
        assert verdict.state == "invalid"
        assert "expected whole seconds since 1970" in verdict.reason
        standard = standard_headers(STD_SECRET, BODY, t)
        verdict = verify(STANDARD, standard, BODY, now=NOW)
        assert verdict.state == "invalid"
        assert "expected whole seconds since 1970" in verdict.reason

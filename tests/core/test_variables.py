"""{{variable}} resolution: scopes, dynamic values, nesting, cycles, unknown names."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apiclient.core.connection_defaults import BUILTIN, ConnectionDefaults
from apiclient.core.errors import UndefinedVariableError, VariableCycleError, VariableError
from apiclient.core.models import (
    Auth,
    BatchRequest,
    Body,
    FormField,
    GraphqlRequest,
    KeyValue,
    RequestSettings,
    RestRequest,
    SoapRequest,
    Variable,
    WebsocketRequest,
    WsMessage,
    WsSecurity,
)
from apiclient.core.variables import (
    Scope,
    VariableRef,
    find_variables,
    resolve_batch_request,
    resolve_graphql_request,
    resolve_request,
    resolve_soap_request,
    resolve_text,
    resolve_websocket_request,
    resolve_ws_message,
    undefined_names,
)


def _vars(**values: str) -> list[Variable]:
    return [Variable(name=name, value=value) for name, value in values.items()]


def test_later_layers_win_and_origin_names_the_layer() -> None:
    scope = Scope.layered(
        globals=_vars(a="g", b="g", c="g", d="g"),
        collection=_vars(b="c", c="c", d="c"),
        environment=_vars(c="e", d="e"),
        request=_vars(d="r"),
    )
    assert [scope.lookup(n) for n in "abcd"] == ["g", "c", "e", "r"]
    assert [scope.origin(n) for n in "abcd"] == ["global", "collection", "environment", "request"]
    assert scope.lookup("zzz") is None and scope.origin("zzz") is None
    assert scope.names() == ["a", "b", "c", "d"]


def test_disabled_variables_do_not_count() -> None:
    scope = Scope.layered(
        collection=_vars(a="on"),
        environment=[Variable(name="a", value="off", enabled=False)],
    )
    assert scope.lookup("a") == "on"


def test_find_variables_tolerates_whitespace_and_gives_spans() -> None:
    text = "x{{ name }}y{{a b}}{{}}{{$uuid}}"
    refs = find_variables(text)
    assert refs == [
        VariableRef("name", 1, 11),
        VariableRef("a b", 12, 19),
        VariableRef("$uuid", 23, 32),
    ]
    assert text[refs[0].start : refs[0].end] == "{{ name }}"


def test_nested_values_resolve() -> None:
    scope = Scope.layered(environment=_vars(host="h", base="http://{{host}}:{{ port }}", port="1"))
    assert resolve_text("{{base}}/x", scope, "URL") == "http://h:1/x"


def test_cycle_names_the_chain() -> None:
    scope = Scope.layered(collection=_vars(a="{{b}}", b="x{{a}}"))
    with pytest.raises(VariableCycleError) as info:
        resolve_text("{{a}}", scope, "URL")
    assert info.value.chain == ("a", "b", "a")
    assert "a -> b -> a" in str(info.value)


def test_unknown_names_are_all_listed_with_a_suggestion() -> None:
    scope = Scope.layered(environment=_vars(token="t"))
    with pytest.raises(UndefinedVariableError) as info:
        resolve_text("Bearer {{tokn}}", scope, "header 'Authorization'")
    error = info.value
    assert error.names == ("tokn",)
    assert error.where == "header 'Authorization'"
    assert str(error) == (
        "Unknown variable {{tokn}} in header 'Authorization'. Define it in the environment, "
        "the collection or the request, or check its spelling. Did you mean {{token}}?"
    )
    with pytest.raises(UndefinedVariableError) as info:
        resolve_text("{{x}}{{y}}{{x}}", scope, "body")
    assert info.value.names == ("x", "y")


def test_dynamic_values_are_fresh_per_occurrence() -> None:
    out = resolve_text("{{$uuid}} {{$guid}} {{$randomUUID}} {{$uuid}}", Scope(), "URL").split()
    assert len(set(out)) == 4
    for value in out:
        uuid.UUID(value)
    stamp, iso, number = resolve_text(
        "{{$timestamp}} {{$isoTimestamp}} {{$randomInt}}", Scope(), "URL"
    ).split()
    assert re.fullmatch(r"\d{10}", stamp)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso)
    assert 0 <= int(number) <= 1000


def test_unknown_dynamic_value_is_undefined() -> None:
    assert undefined_names("{{$uuid}}{{$foo}}", Scope()) == ["$foo"]
    with pytest.raises(UndefinedVariableError) as info:
        resolve_text("{{$uuuid}}", Scope(), "URL")
    assert "Did you mean {{$uuid}}?" in str(info.value)


def test_undefined_names_does_not_raise() -> None:
    scope = Scope.layered(collection=_vars(a="1", loop="{{loop}}"))
    assert undefined_names("{{a}}{{b}}{{ c }}{{b}}{{loop}}", scope) == ["b", "c"]


def _request() -> RestRequest:
    return RestRequest(
        name="{{not resolved}}",
        method="POST",
        url="{{base}}/items",
        params=[
            KeyValue(name="{{pn}}", value="{{pv}}"),
            KeyValue(name="off", value="{{nope1}}", enabled=False),
        ],
        headers=[
            KeyValue(name="X-{{hn}}", value="{{hv}}"),
            KeyValue(name="Off", value="{{nope2}}", enabled=False),
        ],
        body=Body(mode="raw", raw='{"id": "{{id}}"}', urlencoded=[KeyValue(value="{{nope3}}")]),
        auth=Auth(kind="basic", username="{{user}}", password="{{pw}}", token="{{nope4}}"),
        variables=[Variable(name="id", value="42")],
    )


_SCOPE = Scope.layered(
    environment=_vars(base="http://h", pn="page", pv="2", hn="Key", hv="k", user="u", pw="p")
)


def test_resolve_request_covers_every_sent_field_and_leaves_the_rest() -> None:
    request = _request()
    before = request.model_copy(deep=True)
    resolved = resolve_request(request, _SCOPE)
    assert request == before  # pure: the input is untouched
    assert resolved.url == "http://h/items"
    assert (resolved.params[0].name, resolved.params[0].value) == ("page", "2")
    assert resolved.params[1].value == "{{nope1}}"
    assert (resolved.headers[0].name, resolved.headers[0].value) == ("X-Key", "k")
    assert resolved.headers[1].value == "{{nope2}}"
    assert resolved.body.raw == '{"id": "42"}'  # the request's own variable
    assert resolved.body.urlencoded[0].value == "{{nope3}}"  # not the active body mode
    assert (resolved.auth.username, resolved.auth.password) == ("u", "p")
    assert resolved.auth.token == "{{nope4}}"  # not the active auth kind
    assert resolved.name == "{{not resolved}}"


@pytest.mark.parametrize(
    ("body", "read"),
    [
        (
            Body(mode="urlencoded", urlencoded=[KeyValue(name="k", value="{{v}}")]),
            lambda b: b.urlencoded[0].value,
        ),
        (
            Body(mode="multipart", multipart=[FormField(name="f", value="{{v}}", type="file")]),
            lambda b: b.multipart[0].value,
        ),
        (Body(mode="binary", binary_path="{{v}}"), lambda b: b.binary_path),
    ],
)
def test_resolve_request_body_modes(body: Body, read: object) -> None:
    resolved = resolve_request(RestRequest(body=body), Scope.layered(collection=_vars(v="V")))
    assert read(resolved.body) == "V"  # type: ignore[operator]


@pytest.mark.parametrize(
    ("auth", "fields"),
    [
        (Auth(kind="bearer", token="{{v}}", token_prefix="{{v}}"), ("token", "token_prefix")),
        (Auth(kind="apikey", key_name="{{v}}", key_value="{{v}}"), ("key_name", "key_value")),
        (Auth(kind="digest", username="{{v}}", password="{{v}}"), ("username", "password")),
    ],
)
def test_resolve_request_auth_kinds(auth: Auth, fields: tuple[str, ...]) -> None:
    resolved = resolve_request(RestRequest(auth=auth), Scope.layered(collection=_vars(v="V")))
    assert [getattr(resolved.auth, f) for f in fields] == ["V"] * len(fields)


def test_request_variables_win_over_the_scope() -> None:
    request = RestRequest(url="{{a}}", variables=_vars(a="request"))
    assert resolve_request(request, Scope.layered(environment=_vars(a="env"))).url == "request"


def test_resolve_request_reports_every_unknown_with_its_place() -> None:
    request = RestRequest(
        url="{{host}}/x",
        headers=[KeyValue(name="Authorization", value="Bearer {{tokn}}")],
        body=Body(mode="raw", raw="{{host}}"),
    )
    with pytest.raises(UndefinedVariableError) as info:
        resolve_request(request, Scope.layered(environment=_vars(token="t")))
    error = info.value
    assert error.names == ("host", "tokn")
    assert [(u.name, u.where) for u in error.unknown] == [
        ("host", "URL"),
        ("tokn", "header 'Authorization'"),
        ("host", "body"),
    ]
    assert "{{tokn}} in header 'Authorization' (did you mean {{token}}?)" in str(error)


_NO_BRACES = st.text().filter(lambda t: "{{" not in t)


@given(_NO_BRACES)
def test_text_without_references_resolves_to_itself(text: str) -> None:
    assert resolve_text(text, _SCOPE, "body") == text


_PIECES = st.sampled_from([*"ab{} ", "{{base}}", "{{pv}}", "{{$uuid}}"])


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_resolving_is_pure(text: str) -> None:
    scope_before = _SCOPE.layers
    try:
        first = resolve_text(text, _SCOPE, "body")
    except UndefinedVariableError:
        # Pieces may join into an unknown name such as {{a}}: it must fail every time.
        with pytest.raises(UndefinedVariableError):
            resolve_text(text, _SCOPE, "body")
    else:
        if "$uuid" not in text:  # dynamic values are fresh by design
            assert resolve_text(text, _SCOPE, "body") == first
    assert _SCOPE.layers == scope_before


def test_soap_request_resolves_what_is_sent() -> None:
    request = SoapRequest(
        wsdl="{{soap_url}}/hospital?wsdl",
        endpoint="{{soap_url}}/hospital",
        soap_action="urn:{{service}}/Get",
        headers=[
            KeyValue(name="X-Trace", value="{{trace}}"),
            KeyValue(name="X-Off", value="{{nowhere}}", enabled=False),
        ],
        envelope="<e><id>{{patient}}</id><n>{{$randomInt}}</n></e>",
        wsse=WsSecurity(mode="digest", username="{{user}}", password="{{password}}"),
        variables=[Variable(name="patient", value="P001")],
    )
    scope = Scope.layered(
        environment=[
            Variable(name=name, value=value)
            for name, value in {
                "soap_url": "http://h",
                "service": "svc",
                "trace": "t-1",
                "user": "nurse",
                "password": "s3cret",
            }.items()
        ]
    )
    resolved = resolve_soap_request(request, scope)
    assert resolved.endpoint == "http://h/hospital"
    assert resolved.soap_action == "urn:svc/Get"
    assert resolved.headers[0].value == "t-1"
    assert resolved.headers[1].value == "{{nowhere}}"  # disabled: kept as typed
    assert resolved.envelope.startswith("<e><id>P001</id><n>")
    assert "{{" not in resolved.envelope
    assert (resolved.wsse.username, resolved.wsse.password) == ("nurse", "s3cret")
    assert resolved.wsdl == request.wsdl  # loading resolves it, not sending


def test_soap_request_reports_every_unknown_name_at_once() -> None:
    request = SoapRequest(endpoint="{{a}}/x", envelope="<e>{{b}}</e>")
    with pytest.raises(UndefinedVariableError) as caught:
        resolve_soap_request(request, Scope.layered())
    assert caught.value.names == ("a", "b")
    assert "endpoint" in caught.value.where and "envelope" in caught.value.where


def test_websocket_request_resolves_the_handshake_and_leaves_messages_for_later() -> None:
    request = WebsocketRequest(
        url="{{ws_url}}/room/{{room}}",
        headers=[
            KeyValue(name="X-Trace", value="{{trace}}"),
            KeyValue(name="X-Off", value="{{nowhere}}", enabled=False),
        ],
        subprotocols=["chat.{{version}}"],
        auth=Auth(kind="bearer", token="{{token}}"),
        message="{{not_yet}}",
        messages=[WsMessage(name="later", body="{{not_yet}}")],
        variables=[Variable(name="room", value="doc")],
    )
    scope = Scope.layered(
        environment=_vars(ws_url="ws://h:1", trace="t-1", version="v1", token="tok")
    )
    resolved = resolve_websocket_request(request, scope)
    assert resolved.url == "ws://h:1/room/doc"
    assert [row.value for row in resolved.headers] == ["t-1", "{{nowhere}}"]
    assert resolved.subprotocols == ["chat.v1"]
    assert resolved.auth.token == "tok"
    assert resolved.message == "{{not_yet}}"  # a typo in a message never blocks connecting
    with pytest.raises(UndefinedVariableError) as caught:
        resolve_ws_message(request.messages[0], request, scope)
    assert caught.value.names == ("not_yet",)
    assert "message 'later'" in caught.value.where
    sent = resolve_ws_message(WsMessage(body="in {{room}}"), request, scope)
    assert sent.body == "in doc"  # the request's own variables count


def test_websocket_request_reports_every_unknown_name_at_once() -> None:
    request = WebsocketRequest(url="{{a}}/x", headers=[KeyValue(name="H", value="{{b}}")])
    with pytest.raises(UndefinedVariableError) as caught:
        resolve_websocket_request(request, Scope.layered())
    assert caught.value.names == ("a", "b")


_NAMES = st.sampled_from("abcdef")
_GRAPH_VALUE = st.lists(
    st.one_of(st.sampled_from(["x", " ", "{", "}", "{{", "}}"]), _NAMES.map("{{{{{}}}}}".format)),
    max_size=6,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_NAMES, _GRAPH_VALUE, max_size=6), _GRAPH_VALUE)
def test_any_graph_of_variables_resolves_or_says_which_and_where(
    values: dict[str, str], text: str
) -> None:
    """Values that refer to each other in any way (cycles, unknown names, braces that
    join into new references) resolve to the same text every time, or fail every time
    with a VariableError naming the place; nothing else escapes."""
    scope = Scope.layered(environment=_vars(**values))
    try:
        first = resolve_text(text, scope, "URL")
    except VariableError as exc:
        assert "in URL" in str(exc)
        with pytest.raises(type(exc)):
            resolve_text(text, scope, "URL")
    else:
        assert resolve_text(text, scope, "URL") == first
        if not any("{" in value for value in values.values()):  # plain values: all used
            assert not [name for name in values if f"{{{{{name}}}}}" in first]


# -- "App default" connection settings -------------------------------------------------

APP = ConnectionDefaults(
    timeout_s=0.5,
    connect_timeout_s=2.0,
    verify_tls=False,
    proxy="custom",
    proxy_url="{{proxy}}",
    no_proxy="localhost",
)


def test_a_scope_carries_the_built_in_connection_defaults_unless_given_others() -> None:
    plain = Scope.layered(globals=_vars(a="1"))
    assert plain.connection is BUILTIN
    app = plain.with_connection_defaults(APP)
    assert app.connection is APP and plain.connection is BUILTIN
    assert app.with_layer("request", _vars(b="2")).connection is APP
    assert Scope.layered(connection=APP).with_layer("environment", []).connection is APP


@pytest.mark.parametrize(
    ("resolve", "request_type"),
    [
        (resolve_request, RestRequest),
        (resolve_batch_request, BatchRequest),
        (resolve_soap_request, SoapRequest),
        (resolve_graphql_request, GraphqlRequest),
    ],
)
def test_a_resolved_request_carries_concrete_settings_from_the_scope(
    resolve, request_type: type
) -> None:
    scope = Scope.layered(environment=_vars(proxy="http://proxy.local:3128"), connection=APP)
    own = RequestSettings(proxy_username="me")
    resolved = resolve(request_type(settings=own), scope).settings
    assert (resolved.timeout_s, resolved.connect_timeout_s, resolved.verify_tls) == (
        0.5,
        2.0,
        False,
    )
    # The app's proxy URL is resolved like the request's own would be.
    assert (resolved.proxy, resolved.proxy_url, resolved.no_proxy) == (
        "custom",
        "http://proxy.local:3128",
        "localhost",
    )
    assert resolved.proxy_username == "me"

    built_in = resolve(request_type(), Scope.layered()).settings
    assert (built_in.timeout_s, built_in.verify_tls, built_in.proxy) == (30.0, True, "system")


def test_a_requests_own_settings_win_over_the_scopes_defaults() -> None:
    own = RequestSettings(timeout_s=5, connect_timeout_s=1, verify_tls=True, proxy="none")
    request = RestRequest(url="http://x", settings=own)
    assert resolve_request(request, Scope.layered(connection=APP)).settings is own


def test_an_unknown_variable_in_the_apps_proxy_is_reported() -> None:
    with pytest.raises(UndefinedVariableError, match="proxy"):
        resolve_request(RestRequest(url="http://x"), Scope.layered(connection=APP))

"""Reading imported workflow files: real files, every shape, every refusal."""

from __future__ import annotations

import codecs
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mantra_desktop.workflows import (
    RejectionKind,
    content_hash,
    parse_document,
)

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def corpus_dir() -> Path:
    """Return the folder of real workflows: MANTRA_CORPUS_DIR, else the sample."""
    configured = os.environ.get("MANTRA_CORPUS_DIR")
    return Path(configured) if configured else SAMPLE_CORPUS


def workflow(**extra: Any) -> dict[str, Any]:
    """Return a small valid workflow: a schedule trigger wired to a Set node."""
    body: dict[str, Any] = {
        "name": "Hourly hello",
        "nodes": [
            {
                "id": "a1",
                "name": "Schedule Trigger",
                "type": "n8n-nodes-base.scheduleTrigger",
                "typeVersion": 1.2,
                "position": [0, 0],
                "parameters": {"rule": {"interval": [{"field": "hours"}]}},
            },
            {
                "id": "b2",
                "name": "Edit Fields",
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "position": [220, 0],
                "parameters": {"options": {}},
            },
        ],
        "connections": {
            "Schedule Trigger": {
                "main": [[{"node": "Edit Fields", "type": "main", "index": 0}]]
            }
        },
        "settings": {"executionOrder": "v1"},
    }
    body.update(extra)
    return body


def encode(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8")


def only_reason(raw: bytes) -> tuple[RejectionKind, str]:
    result = parse_document(raw, source="flow.json")
    assert result.accepted == ()
    assert len(result.rejected) == 1
    return result.rejected[0].kind, result.rejected[0].reason


def test_every_corpus_file_is_accepted_or_rejected_with_a_reason() -> None:
    files = sorted(p for p in corpus_dir().rglob("*.json") if p.is_file())
    assert len(files) >= 15

    kinds: Counter[RejectionKind] = Counter()
    accepted = 0
    for path in files:
        result = parse_document(path.read_bytes(), source=path.name)
        assert result.accepted or result.rejected, path
        for document in result.accepted:
            assert document.workflow["nodes"], path
            assert len(document.content_hash) == 64
            assert document.name
        for rejection in result.rejected:
            assert rejection.kind is not RejectionKind.UNREADABLE, rejection.message
            assert len(rejection.reason) > 10
            kinds[rejection.kind] += 1
        accepted += len(result.accepted)

    if corpus_dir() == SAMPLE_CORPUS:
        # The sample holds one file whose connections are keyed by node id.
        assert (accepted, sum(kinds.values())) == (len(files) - 1, 1)
        assert set(kinds) == {RejectionKind.UNKNOWN_CONNECTION_NODE}


def test_a_plain_export_is_normalised_and_its_extras_reported() -> None:
    export = workflow(
        id="7",
        active=True,
        versionId="v-1",
        meta={"instanceId": "abc"},
        tags=[{"id": "1", "name": "ops"}],
        pinData={"Edit Fields": [{"json": {"a": 1}}]},
        staticData=None,
        description="Says hello **every hour**.",
    )
    result = parse_document(encode(export), source="hello.json")

    assert result.ok
    (document,) = result.accepted
    assert document.name == "Hourly hello"
    assert document.description == "Says hello **every hour**."
    assert set(document.workflow) == {"name", "nodes", "connections", "settings"}
    assert document.workflow["nodes"][0]["id"] == "a1"
    assert set(document.dropped) == {
        "id",
        "active",
        "versionId",
        "meta",
        "tags",
        "pinData",
    }
    assert document.source == "hello.json"


def test_lists_wrappers_and_api_pages_are_all_read() -> None:
    second = workflow(name="Second")
    second["nodes"][1]["name"] = "Other"
    second["connections"]["Schedule Trigger"]["main"][0][0]["node"] = "Other"

    listed = parse_document(encode([workflow(), second]), source="all.json")
    assert [d.name for d in listed.accepted] == ["Hourly hello", "Second"]
    assert listed.accepted[1].source == "all.json, workflow 2"

    starter = {"name": "Greeter", "description": "# Hello", "workflow": workflow()}
    (document,) = parse_document(encode(starter), source="s.json").accepted
    assert (document.name, document.description) == ("Greeter", "# Hello")

    template_site = {
        "workflow": {
            "id": 1,
            "name": "From the site",
            "description": "Site text",
            "workflow": {"nodes": workflow()["nodes"], "connections": {}},
        }
    }
    (document,) = parse_document(encode(template_site), source="t.json").accepted
    assert (document.name, document.description) == ("From the site", "Site text")

    page = {"data": [workflow()], "nextCursor": None}
    assert len(parse_document(encode(page), source="p.json").accepted) == 1

    as_text = {"name": "Wrapped text", "workflow": json.dumps(workflow())}
    (document,) = parse_document(encode(as_text), source="w.json").accepted
    assert document.name == "Wrapped text"


def test_one_bad_entry_in_a_list_does_not_hide_the_good_ones() -> None:
    result = parse_document(encode([workflow(), {"nodes": []}, 3]), source="mix.json")

    assert len(result.accepted) == 1
    assert [(r.source, r.kind) for r in result.rejected] == [
        ("mix.json, workflow 2", RejectionKind.NO_NODES),
        ("mix.json, workflow 3", RejectionKind.NOT_A_WORKFLOW),
    ]


def test_byte_order_marks_utf16_and_trailing_commas_are_tolerated() -> None:
    text = json.dumps(workflow(), indent=2)
    expected = parse_document(text.encode(), source="a").accepted[0].content_hash

    with_bom = codecs.BOM_UTF8 + text.encode()
    utf16 = text.encode("utf-16")  # Python writes the byte order mark
    trailing = text.replace('"options": {}', '"options": {},').replace(
        "\n  ]", ",\n  ]"
    )
    for raw in (with_bom, utf16, trailing.encode()):
        (document,) = parse_document(raw, source="a").accepted
        assert document.content_hash == expected

    (document,) = parse_document(trailing.encode(), source="a").accepted
    assert document.notes == ("2 trailing commas removed",)


def test_a_comma_inside_a_string_is_not_mistaken_for_a_trailing_one() -> None:
    body = workflow()
    body["nodes"][1]["parameters"] = {"text": "a, }", "list": "b,]"}
    text = json.dumps(body).replace('"v1"}', '"v1",}')

    (document,) = parse_document(text.encode(), source="a").accepted

    assert document.workflow["nodes"][1]["parameters"] == {
        "text": "a, }",
        "list": "b,]",
    }
    assert document.notes == ("1 trailing comma removed",)


@pytest.mark.parametrize(
    ("raw", "kind", "words"),
    [
        (b"", RejectionKind.EMPTY, "empty"),
        (b"  \n", RejectionKind.EMPTY, "empty"),
        (b'{"nodes": [\n  {"name": }', RejectionKind.NOT_JSON, "line 2, column"),
        (b"\xff\xfe\xfa\x00{", RejectionKind.NOT_TEXT, None),
        (b'{"a": \xe9}', RejectionKind.NOT_TEXT, "not UTF-8"),
        (b'{"nodes": NaN}', RejectionKind.NOT_JSON, "NaN"),
        (b"[" * 100_000, RejectionKind.NOT_JSON, None),
        (b'"hello"', RejectionKind.NOT_A_WORKFLOW, "found a string"),
        (b"[]", RejectionKind.NOT_A_WORKFLOW, "empty list"),
        (
            b'{"title": "x", "steps": []}',
            RejectionKind.NOT_A_WORKFLOW,
            'keys "title", "steps"',
        ),
        (b'{"nodes": {}}', RejectionKind.NOT_A_WORKFLOW, "not a list"),
        (b'{"nodes": []}', RejectionKind.NO_NODES, "no nodes"),
        (b'{"nodes": [1]}', RejectionKind.BAD_NODE, "node 1"),
        (b'{"nodes": [{"type": "t"}]}', RejectionKind.NODE_WITHOUT_NAME, "node 1"),
        (b'{"nodes": [{"name": "A"}]}', RejectionKind.NODE_WITHOUT_TYPE, '"A"'),
        (
            b'{"nodes": [{"name": "A", "type": "t"}, {"name": "A", "type": "t"}]}',
            RejectionKind.DUPLICATE_NODE_NAMES,
            '"A"',
        ),
        (
            b'{"nodes": [{"name": "A", "type": "t"}], "connections": '
            b'{"A": {"main": [[{"node": "Ghost", "type": "main", "index": 0}]]}}}',
            RejectionKind.UNKNOWN_CONNECTION_NODE,
            '"Ghost"',
        ),
        (
            b'{"nodes": [{"name": "A", "type": "t"}], "connections": {"A": 4}}',
            RejectionKind.BAD_CONNECTIONS,
            '"A"',
        ),
    ],
)
def test_each_refusal_says_what_is_wrong(
    raw: bytes, kind: RejectionKind, words: str | None
) -> None:
    found_kind, reason = only_reason(raw)

    assert found_kind is kind
    if words is not None:
        assert words in reason


def test_too_large_is_refused_before_reading() -> None:
    kind, reason = only_reason_limited(encode(workflow()), max_bytes=100)
    assert kind is RejectionKind.TOO_LARGE
    assert "limit" in reason


def only_reason_limited(raw: bytes, *, max_bytes: int) -> tuple[RejectionKind, str]:
    result = parse_document(raw, source="big.json", max_bytes=max_bytes)
    (rejection,) = result.rejected
    return rejection.kind, rejection.reason


def test_a_connection_keyed_by_node_id_names_the_node_it_meant() -> None:
    body = workflow()
    body["connections"] = {"a1": body["connections"]["Schedule Trigger"]}

    kind, reason = only_reason(encode(body))

    assert kind is RejectionKind.UNKNOWN_CONNECTION_NODE
    assert 'id of node "Schedule Trigger"' in reason


def test_the_content_hash_ignores_what_does_not_change_behaviour() -> None:
    base = parse_document(encode(workflow()), source="a").accepted[0]

    moved = workflow(name="Renamed", settings={"timezone": "Europe/Paris"})
    moved["nodes"].reverse()
    for node in moved["nodes"]:
        node["id"] = "other-" + node["id"]
        node["position"] = [999, 999]
        node["notes"] = "a note"
    moved["nodes"].append(
        {
            "name": "Sticky Note",
            "type": "n8n-nodes-base.stickyNote",
            "position": [0, 0],
            "parameters": {"content": "Read me"},
        }
    )
    moved["nodes"][0]["typeVersion"] = float(moved["nodes"][0]["typeVersion"])
    same = parse_document(encode(moved), source="b").accepted[0]
    assert same.content_hash == base.content_hash

    changed = workflow()
    changed["nodes"][1]["parameters"] = {"options": {"dotNotation": False}}
    assert content_hash(changed) != base.content_hash

    rewired = workflow()
    rewired["connections"] = {}
    assert content_hash(rewired) != base.content_hash


# --- property tests: nothing raises, and every refusal carries a reason ---

_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()
)
_json_value = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mangled_workflows(draw: st.DrawFn) -> bytes:
    """A valid workflow with keys removed, values of the wrong type, dangling
    connections, then perhaps truncated or with random bytes spliced in."""
    body = workflow()
    targets: list[tuple[dict[str, Any], str]] = [(body, k) for k in list(body)]
    for node in body["nodes"]:
        targets += [(node, k) for k in list(node)]
    for container, key in draw(
        st.lists(st.sampled_from(targets), max_size=4, unique_by=lambda t: id(t[0]))
    ):
        action = draw(st.sampled_from(["remove", "replace"]))
        if action == "remove":
            container.pop(key, None)
        else:
            container[key] = draw(_json_value)
    if draw(st.booleans()):
        body.setdefault("connections", {})
        if isinstance(body["connections"], dict):
            body["connections"][draw(st.text(max_size=8))] = {
                "main": [[{"node": draw(st.text(max_size=8)), "index": 0}]]
            }
    raw = encode(draw(st.sampled_from([body, [body], {"workflow": body}])))
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    if cut is not None:
        raw = raw[:cut]
    noise = draw(
        st.one_of(
            st.just(b""),
            st.binary(max_size=6),
            st.text(alphabet='{}[],:"0 ', max_size=4).map(str.encode),
        )
    )
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + noise + raw[at:]


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raw=st.one_of(mangled_workflows(), st.binary(max_size=200)))
def test_parse_never_raises_and_always_gives_a_reason(raw: bytes) -> None:
    result = parse_document(raw, source="fuzz.json")

    assert result.accepted or result.rejected
    for rejection in result.rejected:
        assert rejection.kind is not RejectionKind.UNREADABLE, rejection.reason
        assert rejection.reason.strip()
    for document in result.accepted:
        assert document.workflow["nodes"]
        names = [n["name"] for n in document.workflow["nodes"]]
        assert len(names) == len(set(names))
        assert content_hash(document.workflow) == document.content_hash

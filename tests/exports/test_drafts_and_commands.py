"""DOCX filing drafts and the export/import commands."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from exports.drafts import MISSING, draft_docx
from exports.models import ExportLog
from tests.exports.test_json import _purge


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "pipc",
            ["개인정보 유출 등 신고서", "유출된 개인정보 항목", "유출 시점", "샵코리아 주식회사"],
        ),
        (
            "kisa",
            [
                "침해사고 신고서",
                "침해사고 발생 일시",
                "2025-11-06 18:38 KST (+09:00)",
                "외부 공격(해킹)",
            ],
        ),
        ("sec-8k", ["Item 1.05", "material impact", "Commission File Number"]),
        ("gdpr-33", ["Art. 33(3)(a)", "DPO", "likely consequences", "KR: 33,700,000"]),
    ],
)
def test_draft_is_filled_in_from_the_incident(rich_incident, kind, expected):
    from zoneinfo import ZoneInfo

    text = _text(draft_docx(rich_incident, kind=kind, tz=ZoneInfo("Asia/Seoul"), exported_by="bob"))
    for needle in expected:
        assert needle in text


def test_missing_facts_are_marked_not_guessed(rich_incident):
    from zoneinfo import ZoneInfo

    text = _text(draft_docx(rich_incident, kind="gdpr-33", tz=ZoneInfo("UTC"), exported_by="bob"))
    assert MISSING.format(what="DPO contact") in text
    rich_incident.extra_facts = {"dpo_contact": "dpo@example.com"}
    rich_incident.save()
    text = _text(draft_docx(rich_incident, kind="gdpr-33", tz=ZoneInfo("UTC"), exported_by="bob"))
    assert "dpo@example.com" in text
    assert MISSING.format(what="DPO contact") not in text


@pytest.mark.parametrize(
    ("fmt", "extra", "magic"),
    [
        ("pdf", [], b"%PDF-"),
        ("xlsx", [], b"PK"),
        ("csv", [], b"\xef\xbb\xbf"),
        ("json", [], b"{"),
        ("docx", ["--draft", "sec-8k"], b"PK"),
    ],
)
def test_export_command_writes_each_format_and_logs_it(rich_incident, tmp_path, fmt, extra, magic):
    out = tmp_path / f"x.{fmt}"
    call_command(
        "export_incident",
        rich_incident.reference,
        "--format",
        fmt,
        "--output",
        str(out),
        *extra,
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(magic)
    log = ExportLog.objects.get()
    assert (log.via, log.format, log.size) == ("cli", fmt, out.stat().st_size)
    assert log.username.startswith("cli:")


def test_export_command_checks_the_given_users_permissions(
    rich_incident, tmp_path, carol, legal_outsider, bob
):
    out = tmp_path / "x.json"
    with pytest.raises(CommandError, match="does not allow"):
        call_command(
            "export_incident",
            rich_incident.reference,
            "--format",
            "json",
            "--output",
            str(out),
            "--user",
            "carol",
        )
    with pytest.raises(CommandError, match="No incident"):
        call_command(
            "export_incident",
            rich_incident.reference,
            "--format",
            "json",
            "--output",
            str(out),
            "--user",
            "lena",
        )
    call_command(
        "export_incident",
        rich_incident.reference,
        "--format",
        "json",
        "--output",
        str(out),
        "--user",
        "bob",
        stdout=io.StringIO(),
    )
    assert ExportLog.objects.get().user == bob


def test_docx_command_needs_a_draft_kind(rich_incident, tmp_path):
    with pytest.raises(CommandError, match="--draft"):
        call_command(
            "export_incident",
            rich_incident.reference,
            "--format",
            "docx",
            "--output",
            str(tmp_path / "x"),
        )


def test_import_command_restores_an_export(rich_incident, tmp_path):
    out = tmp_path / "x.json"
    call_command(
        "export_incident",
        rich_incident.reference,
        "--format",
        "json",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    reference = rich_incident.reference
    _purge(rich_incident)
    stdout = io.StringIO()
    call_command("import_incident", str(out), stdout=stdout)
    assert f"Imported {reference}" in stdout.getvalue()
    again = tmp_path / "y.json"
    call_command(
        "export_incident",
        reference,
        "--format",
        "json",
        "--output",
        str(again),
        stdout=io.StringIO(),
    )
    first, second = json.loads(out.read_bytes()), json.loads(again.read_bytes())
    for key in ("exported_at", "exported_by", "audit_chain_head"):
        first.pop(key), second.pop(key)
    assert first == second


def test_import_command_reports_a_bad_file(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_incident", str(bad))


def test_generate_export_load_makes_n_events(db):
    call_command(
        "generate_export_load", "--events", "25", "--reference", "LOAD-T", stdout=io.StringIO()
    )
    from incidents.models import Incident

    assert Incident.objects.get(reference="LOAD-T").events.count() == 25

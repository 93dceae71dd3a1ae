"""Labels people read for n8n credential types."""

from __future__ import annotations

import pytest

from mantra_desktop.workflows.node_types import credential_type_label


@pytest.mark.parametrize(
    ("credential_type", "label"),
    [
        ("slackApi", "Slack API"),
        ("gmailOAuth2", "Gmail (OAuth2)"),
        ("googleSheetsOAuth2Api", "Google Sheets (OAuth2)"),
        ("microsoftOutlookOAuth2Api", "Microsoft Outlook (OAuth2)"),
        ("openAiApi", "OpenAI API"),
        ("gitHubApi", "GitHub API"),
        ("oAuth2Api", "OAuth2 (generic)"),
        ("httpHeaderAuth", "HTTP Header Auth"),
        ("smtp", "SMTP"),
        ("awsS3", "AWS S3"),
        ("postgres", "Postgres"),
        ("someVendorOAuth1Api", "Some Vendor (OAuth1)"),
        ("Api", "API"),
        ("", ""),
    ],
)
def test_credential_type_label(credential_type: str, label: str) -> None:
    assert credential_type_label(credential_type) == label

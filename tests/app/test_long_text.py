"""Long text is read in full (issue 12 item 5): the look-up reply's documents and message, and the
case's order panel, render as wrapping static tables, each cell shown as text, not as a fixed-width
data grid that cuts them off."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

LONG_DOCS = (
    "Office notes from the last 60 days documenting the neurological examination and the response to "
    "at least six weeks of physician-directed conservative care (physical therapy, NSAIDs)"
)


def _lookup_page() -> None:
    from simulator.models import AuthRequirement, LookupReply
    from ui.widgets import replies

    replies.lookup_reply(
        LookupReply(
            payer_id="lakeshore",
            results=[
                AuthRequirement(
                    code="72148",
                    required=True,
                    policy_id=None,  # no policy link: a bare AppTest has no page registry
                    documentation=[
                        "Office notes from the last 60 days documenting the neurological examination and the "
                        "response to at least six weeks of physician-directed conservative care (physical "
                        "therapy, NSAIDs)",
                        "**Imaging** [report](http://127.0.0.1:9/x)",
                    ],
                    submit_lead_business_days=3,
                    message="Prior authorization is required for lumbar MRI without contrast.",
                )
            ],
        )
    )


def test_the_lookup_reply_shows_every_required_document_in_full_and_as_text() -> None:
    at = AppTest.from_function(_lookup_page).run()
    assert not at.exception
    assert not at.dataframe, "long text must not sit in a data grid that truncates cells"
    table = at.table[0].value
    cell = table["documents the payer needs"].iloc[0]
    assert LONG_DOCS.replace("(", "\\(").replace(")", "\\)").replace("-", "\\-").replace(".", "\\.") in cell
    # a Markdown link or emphasis in a document name is escaped, so it shows literally
    assert "\\*\\*Imaging\\*\\* \\[report\\]\\(http" in cell


def _order_page() -> None:
    from scenarios import generate_case
    from ui.widgets import case_panels

    case_panels.order_panel(generate_case("advanced_imaging", 1))


def test_the_order_panel_lists_its_fields_in_a_wrapping_table() -> None:
    at = AppTest.from_function(_order_page).run()
    assert not at.exception and not at.dataframe
    fields = list(at.table[0].value["field"])
    assert "Date of service" in fields and "Ordered on" in fields

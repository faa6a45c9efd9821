"""Views of the funding module, one module per actor: `public` (catalogue, open data),
`applicant` (the structure's application pages), `instruction` (funders' instructors and the
agency: shares, committee sessions, reports, payments, dashboard), `administration` (funders,
programmes and envelopes). Each view checks who may see it (`funding.access`); querysets come
scoped from `selectors`; services run through `core.forms.run_service`."""

/**
 * The campaign id's rule (campaign.json "campaign.id"): it is part of the case KDF's salt
 * (docs/protocol.md §18.1), so the validator and the KDF share it. A module of its own, so that
 * the home page's campaign code does not load the case crypto, nor the worker the campaign file.
 */
export const CAMPAIGN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/

// Outbound webhooks: Standard Webhooks signing, and an SSRF-checked HTTP client that connects only to the address it checked.
export {};

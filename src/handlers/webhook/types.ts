/** A `webhook:` handler entry (see DESIGN.md, "Handlers without code, or in another language"). */
export interface WebhookSpec {
  url: string;
  /** Signs every call; sensitive: masked in check-config, never logged. */
  secret: string;
  /** A shorter deadline than the daemon's handler deadline, if wanted. */
  timeoutMs?: number;
}

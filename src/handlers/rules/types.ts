/** A `rules:` handler entry, as written in the config file (see DESIGN.md, "Handlers without code"). */
export type ParamFormat = 'email' | 'domain' | 'url' | 'number';

export interface ParamRequirement {
  param: string;
  format?: ParamFormat;
  /** A regular expression the whole value must match. */
  pattern?: string;
  oneOf?: string[];
  /** Shown to the customer next to the parameter when the check fails. */
  message: string;
  /** Defaults to true: an empty value fails. With false, only a given value is checked. */
  required?: boolean;
}

export type RuleAction =
  { approve: { templateId: string } | { activationTile: string } } | { fail: { reason: string } };

export type TypeRule = { require?: ParamRequirement[] } & RuleAction;

/** Per request type (`purchase`, `change`, ...) and `tierConfig.setup|update`. */
export type RulesSpec = Partial<Record<string, TypeRule>> & {
  tierConfig?: { setup?: TypeRule; update?: TypeRule };
};

// Example vendor handler for the demo product "Northwind Cloud PBX" (PRD-604-522-081), whose
// parameter `reseller_code` is the reseller's (scope tier1): Connect asks each reseller for it once,
// in a tier configuration request (TCR), and holds the reseller's first purchase in `tiers_setup`
// until that TCR is approved. The daemon handles TCRs first in every cycle, so the purchase is
// approved in the same cycle as its reseller's configuration.

const RESELLER_CODE = /^NW-\d{4}$/;

function tierParam(tcr, id) {
  return tcr.params?.find((param) => param.id === id)?.value ?? null;
}

/** A reseller's configuration: approved when its code is one Northwind issued, otherwise inquired. */
function configureReseller(tcr, { log }) {
  const code = tierParam(tcr, 'reseller_code');
  if (typeof code !== 'string' || !RESELLER_CODE.test(code)) {
    return {
      action: 'inquire',
      params: { reseller_code: 'Enter the reseller code Northwind gave you: NW- and four digits.' },
    };
  }
  log.info({ resellerCode: code, account: tcr.configuration.account?.id }, 'reseller linked');
  return {
    action: 'approve',
    templateId: 'TL-604-522-081-T01',
    note: `Linked to Northwind reseller ${code}.`,
  };
}

export default {
  name: 'northwind-pbx',
  products: ['PRD-604-522-081'],

  async purchase() {
    return { action: 'approve', templateId: 'TL-604-522-081-001' };
  },
  async change() {
    return { action: 'approve', templateId: 'TL-604-522-081-002' };
  },
  async cancel() {
    return { action: 'approve', templateId: 'TL-604-522-081-003' };
  },

  tierConfig: {
    async setup(tcr, context) {
      return configureReseller(tcr, context);
    },
    async update(tcr, context) {
      return configureReseller(tcr, context);
    },
  },
};

// Example vendor handler for the demo product "Fallball Cloud Storage" (PRD-276-377-545).
// A plain .js module with no imports: the daemon only needs the default export's shape.
//
// What it shows:
//  - purchase: inquire when the administrator e-mail is invalid (the customer fixes it in Connect),
//    otherwise "create the account" and approve with an activation template, writing the new
//    subscription id into the fulfillment parameter `subscription_id` on the way;
//  - cancel: fail cancels of subscriptions this vendor never provisioned (no subscription_id);
//  - change, suspend, resume: approve;
//  - inquiring purchases (`statuses` asks for them too): back to pending when the e-mail was fixed
//    on the vendor's side (support corrected it), failed after too long without an answer, and
//    otherwise a reminder note on the request's conversation (posted once: the daemon never repeats
//    the last message).

/** How long a purchase may wait for the customer's answer before it is failed. */
const INQUIRY_MAX_MS = 12 * 60 * 60 * 1000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/** The value of one of the request's parameters. */
function paramValue(request, id) {
  return request.asset.params?.find((param) => param.id === id)?.value ?? null;
}

/** A purchase waiting for the customer: `request.updated` is when the inquiry was made. */
function inquiringPurchase(request) {
  const email = paramValue(request, 'email');
  const emailError = request.asset.params?.find((param) => param.id === 'email')?.value_error;
  if (typeof email === 'string' && EMAIL.test(email) && !emailError) {
    return {
      action: 'pend',
      note: `The administrator e-mail is now ${email}: we are setting up your account.`,
    };
  }
  const waitedMs = Date.now() - Date.parse(request.updated ?? request.created);
  if (waitedMs > INQUIRY_MAX_MS) {
    return {
      action: 'fail',
      reason: 'No valid administrator e-mail was given within 12 hours; please order again.',
    };
  }
  return { action: 'skip', note: 'We are waiting for a valid administrator e-mail to create your account.' };
}

export default {
  name: 'fallball',
  products: ['PRD-276-377-545'],
  statuses: ['pending', 'inquiring'],

  async purchase(request, { log }) {
    if (request.status === 'inquiring') return inquiringPurchase(request);
    const email = paramValue(request, 'email');
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      return {
        action: 'inquire',
        params: {
          email: `"${email ?? ''}" is not a valid e-mail address. Please enter the administrator's e-mail.`,
        },
      };
    }
    // A real handler would call the vendor's API here, idempotently keyed on the request id.
    const subscriptionId = `FB-${request.id.replace(/\D/g, '').slice(-8)}`;
    log.info({ subscriptionId, email }, 'Fallball account created');
    return {
      action: 'approve',
      templateId: 'TL-276-377-545-001',
      params: { subscription_id: subscriptionId },
    };
  },

  async cancel(request) {
    const subscriptionId = paramValue(request, 'subscription_id');
    if (!subscriptionId) {
      return {
        action: 'fail',
        reason: `Subscription ${request.asset.id} is unknown to Fallball (no subscription_id); nothing to cancel.`,
      };
    }
    return { action: 'approve', templateId: 'TL-276-377-545-004' };
  },

  async change() {
    return { action: 'approve', templateId: 'TL-276-377-545-002' };
  },

  async suspend() {
    return { action: 'approve', templateId: 'TL-276-377-545-003' };
  },

  async resume() {
    return { action: 'approve', templateId: 'TL-276-377-545-003' };
  },
};

// A handler with a dependency of its own (zod, from this folder's node_modules) and the daemon's
// outcome helpers (from `connect-fulfillment`, which the daemon resolves to itself).
import { approve, defineHandler, inquire } from 'connect-fulfillment';
import { z } from 'zod';

const Email = z.email();

export default defineHandler({
  name: 'my-product',
  async purchase(request) {
    const email = request.asset.params?.find((param) => param.id === 'email')?.value;
    if (!Email.safeParse(email).success) return inquire({ email: 'Please enter a valid e-mail address.' });
    return approve({ templateId: 'TL-111-222-333' });
  },
});

// The benchmark's vendor handler: approves every purchase at once, with no I/O of its own, so the
// benchmark measures the daemon and the API, not a handler. The products the daemon polls are listed
// in the generated configuration (they override the default below).
export default {
  name: 'bench-approve-all',
  products: ['PRD-276-377-545', 'PRD-561-716-033'],
  purchase: () => ({ action: 'approve', templateId: 'TL-BENCH' }),
};

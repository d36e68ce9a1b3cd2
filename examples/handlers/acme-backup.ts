// Example vendor handler for the demo product "Acme Backup" (PRD-561-716-033), written in
// TypeScript: Node strips the types when the daemon loads it, and `import type` leaves no import.
//
// It shows asynchronous provisioning without webhooks: the first time a purchase is seen, the
// handler starts provisioning and answers `skip` with `retryAfterMs`; the daemon leaves the request
// pending and offers it again once that time has passed, until the vault is ready and it approves.
import type { HandlerContext, VendorHandler } from '../../src/index.ts';
import type { FulfillmentRequest } from '../../src/index.ts';

const PROVISIONING_MS = 15_000;

// Stands in for the vendor's provisioning API. A real handler asks that API for the job's status,
// keyed on the request id, so a restart of the daemon does not start a second job.
const provisioningStartedAt = new Map<string, number>();

function approveWithTile(title: string) {
  return {
    action: 'approve',
    activationTile: `# ${title}\n\nManage your backups at https://backup.example.com.`,
  } as const;
}

const handler: VendorHandler = {
  name: 'acme-backup',
  products: ['PRD-561-716-033'],

  async purchase(request: FulfillmentRequest, { log }: HandlerContext) {
    const startedAt = provisioningStartedAt.get(request.id) ?? Date.now();
    if (!provisioningStartedAt.has(request.id)) {
      provisioningStartedAt.set(request.id, startedAt);
      log.info('backup vault provisioning started');
    }
    const remainingMs = startedAt + PROVISIONING_MS - Date.now();
    if (remainingMs > 0) {
      return {
        action: 'skip',
        reason: 'backup vault is being provisioned',
        retryAfterMs: remainingMs,
        // Posted once on the request's conversation, however many cycles the provisioning takes.
        note: 'Your backup vault is being set up; this takes a few minutes.',
      };
    }
    provisioningStartedAt.delete(request.id);
    return {
      ...approveWithTile('Your backup vault is ready'),
      params: { backup_vault_id: `VLT-${request.id.slice(3, 12)}` },
    };
  },

  async change() {
    return approveWithTile('Your backup plan was changed');
  },
  async suspend() {
    return approveWithTile('Your backups are suspended');
  },
  async resume() {
    return approveWithTile('Your backups are running again');
  },
  async cancel() {
    return approveWithTile('Your backup vault was closed');
  },
};

export default handler;

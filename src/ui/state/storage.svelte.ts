import { deleteGroup, deleteRun, listGroups, type PagebenchDB, type StorageGroup } from '../../storage/db.ts';

/** What the browser stores for pagebench (models, datasets, runs) and how much room is left. */
export class StorageState {
  groups = $state<StorageGroup[]>([]);
  estimate = $state<{ usage?: number; quota?: number }>({});
  persisted = $state<boolean | null>(null);

  constructor(private readonly db: PagebenchDB) {}

  async refresh(): Promise<void> {
    this.groups = await listGroups(this.db);
    this.estimate = (await navigator.storage?.estimate?.()) ?? {};
    this.persisted = (await navigator.storage?.persisted?.()) ?? null;
  }

  async removeGroup(group: string): Promise<void> {
    await deleteGroup(this.db, group);
    await this.refresh();
  }

  async removeRun(id: string): Promise<void> {
    await deleteRun(this.db, id);
    await this.refresh();
  }

  /** Asks the browser not to evict pagebench's data; says whether it agreed. */
  async persist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.()) ?? false;
  }
}

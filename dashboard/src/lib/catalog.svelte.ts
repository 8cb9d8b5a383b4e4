// The KPI catalog and alert rules from GET /api/catalog, loaded once after sign-in: labels, units and
// definitions for tooltips, thresholds for the scaling view. Filtered by the collector to the caller's role.
import { apiGet } from './api.ts';
import type { Catalog, CatalogKpi } from './api-types.ts';

class CatalogStore {
  data = $state<Catalog | null>(null);

  async load(token: string): Promise<void> {
    this.data = await apiGet<Catalog>('/api/catalog', token);
  }

  kpi(field: string): CatalogKpi | undefined {
    return this.data?.kpis.find((kpi) => kpi.field === field);
  }

  /** The definition of a KPI for a tooltip; empty when the catalog has not loaded. */
  help(field: string): string {
    return this.kpi(field)?.help ?? '';
  }
}

export const catalog = new CatalogStore();

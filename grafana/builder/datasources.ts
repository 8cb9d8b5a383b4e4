// The two datasources every panel refers to, by the fixed uids that provisioning/datasources/datasources.yml
// gives them (test/stack/grafana-files.test.ts checks both sides agree). A uid, never a name: names can be
// renamed in the UI, and auto-generated uids differ on every Grafana instance.

export interface DatasourceRef {
  readonly type: string;
  readonly uid: string;
}

export const prometheusDatasource = { type: 'prometheus', uid: 'pledgr-prometheus' } as const;

/** Grafana 10.2+ names the built-in PostgreSQL plugin `grafana-postgresql-datasource` (`postgres` before). */
export const postgresDatasource = { type: 'grafana-postgresql-datasource', uid: 'pledgr-postgres' } as const;

// Template variables: multi-value, with "All" meaning the regex `.*`, filled from Prometheus label values
// and refreshed when the time range changes. Queries use them as `label=~"$name"`.
import type { DatasourceRef } from './datasources.ts';
import type { QueryVariable } from './types.ts';

export interface LabelValuesVariable {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** The metric whose series list the values, and the label whose values they are. */
  readonly metric: string;
  readonly labelName: string;
}

export function labelValuesVariable(spec: LabelValuesVariable, datasource: DatasourceRef): QueryVariable {
  return {
    type: 'query',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    datasource,
    query: `label_values(${spec.metric}, ${spec.labelName})`,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { text: 'All', value: '$__all' },
    sort: 1,
    regex: '',
  };
}

/** The matcher a query uses for a variable: `service_instance_id=~"$instance"`. */
export function variableMatcher(spec: LabelValuesVariable): string {
  return `${spec.labelName}=~"$${spec.name}"`;
}

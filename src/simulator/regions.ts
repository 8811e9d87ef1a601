/**
 * The regions of the `aws` partition as EC2 DescribeRegions lists them, with whether an account must opt
 * in. The simulator carries its own copy (it is the oracle; it does not read keywarden's catalog).
 */
export const DEFAULT_ENABLED_REGIONS: readonly string[] = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** Regions launched since March 2019: disabled until the account opts in. */
export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
];

export type OptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

/** Every region of the partition with its status, given the opt-in regions the account enabled. */
export function partitionRegions(optedIn: readonly string[]): { name: string; optInStatus: OptInStatus }[] {
  return [
    ...DEFAULT_ENABLED_REGIONS.map((name) => ({ name, optInStatus: 'opt-in-not-required' as const })),
    ...OPT_IN_REGIONS.map((name) => ({
      name,
      optInStatus: optedIn.includes(name) ? ('opted-in' as const) : ('not-opted-in' as const),
    })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The partition's regions other than `regions`: a test that wants a scan limited to the regions holding
 * simulated data excludes these (`regions.exclude`), as an operator would, while DescribeRegions still
 * answers for the whole partition.
 */
export function regionsOutside(regions: readonly string[]): string[] {
  return [...DEFAULT_ENABLED_REGIONS, ...OPT_IN_REGIONS].filter((r) => !regions.includes(r)).sort();
}

import { geoEqualEarth, geoPath } from 'd3-geo';
import { useQuery } from '@tanstack/react-query';
import { memo, useMemo } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import worldUrl from 'world-atlas/countries-110m.json?url';
import type { Stance } from '../api/types';
import { alpha2OfNumeric, countryName } from '../ui/countries';
import { NO_STANCE_FILL, STANCE_COLOURS } from '../ui/stances';

const WIDTH = 960;
const HEIGHT = 470;

interface Shape {
  code: string;
  name: string;
  d: string;
}

/** The countries' outlines, projected once: a new day only changes their fills. */
function useShapes() {
  return useQuery({
    queryKey: ['world-atlas'],
    staleTime: Infinity,
    queryFn: async (): Promise<Shape[]> => {
      const topology = (await (await fetch(worldUrl)).json()) as Topology<{ countries: GeometryCollection<{ name: string }> }>;
      const countries = feature(topology, topology.objects.countries);
      const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], countries);
      const path = geoPath(projection);
      return countries.features.flatMap((shape) => {
        const code = shape.id === undefined ? undefined : alpha2OfNumeric(String(shape.id));
        const d = path(shape);
        return code && d ? [{ code, name: countryName(code), d }] : [];
      });
    },
  });
}

export const WorldMap = memo(function WorldMap({ stances, label }: { stances: Map<string, Stance>; label: string }) {
  const shapes = useShapes();
  const paths = useMemo(
    () =>
      shapes.data?.map((shape) => {
        const stance = stances.get(shape.code);
        return (
          <path key={shape.code} d={shape.d} fill={stance ? STANCE_COLOURS[stance].fill : NO_STANCE_FILL} data-country={shape.code} data-stance={stance ?? 'none'}>
            <title>{`${shape.name}: ${stance ?? 'no stance'}`}</title>
          </path>
        );
      }),
    [shapes.data, stances],
  );
  if (shapes.isError) return <p className="problem">The map could not be loaded; the table below has every country.</p>;
  return (
    <svg className="map" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
      {paths}
    </svg>
  );
});

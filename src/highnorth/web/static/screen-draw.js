// Drawing the activity's geometry on the map with Terra Draw (vendored from npm by
// scripts/vendor_terra_draw.sh): a point, a track (line string) or an area (polygon). One
// geometry at a time: when a drawing is finished it is handed to `onGeometry` and the drawing
// layer is cleared (the view draws the activity in its own layer).
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPointMode, TerraDrawPolygonMode } from './vendor/terra-draw/terra-draw.js';
import { TerraDrawMapLibreGLAdapter } from './vendor/terra-draw/terra-draw-maplibre-gl-adapter.js';

const INK = '#14273a';

export function createDrawing(map, onGeometry) {
  const draw = new TerraDraw({
    adapter: new TerraDrawMapLibreGLAdapter({ map }),
    modes: [
      new TerraDrawPointMode({ styles: { pointColor: INK, pointWidth: 6, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
      new TerraDrawLineStringMode({ styles: { lineStringColor: INK, lineStringWidth: 3, closingPointColor: INK } }),
      new TerraDrawPolygonMode({ styles: { fillColor: '#2f6f9f', fillOpacity: 0.2, outlineColor: INK, outlineWidth: 2 } }),
    ],
  });
  draw.start();
  draw.on('finish', (id) => {
    const feature = draw.getSnapshot().find((f) => f.id === id);
    if (!feature) return;
    const geometry = structuredClone(feature.geometry);
    draw.clear();
    onGeometry(geometry);
  });
  return {
    mode(name) {
      draw.clear();
      draw.setMode(name ?? 'static');
    },
    clear() {
      draw.clear();
    },
  };
}

import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// A wait ends as soon as what it waits for holds; its bound only matters when
// it never does. Testing Library's default bound (1 s) is shorter than an ELK
// layout of a few dozen nodes takes on a loaded 2-core machine (the page test
// that lays out 55 nodes, about 2 s there, once took over 15 s), so a passing
// test could fail: bound waits by what a loaded machine needs.
configure({ asyncUtilTimeout: 60_000 });
// The test bound, for the same reason. Set here, not as package.json's
// jest.testTimeout: `backstage-cli repo test` runs every package as one jest
// project, and testTimeout is a global option that projects do not carry.
jest.setTimeout(180_000);

// jsdom has no layout engine: xyflow needs ResizeObserver, DOMMatrixReadOnly and
// element sizes to draw nodes (the shims reactflow.dev/docs/guides/testing describes).
class ResizeObserverShim {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve() {}
  disconnect() {}
}

class DOMMatrixReadOnlyShim {
  m22: number;
  constructor(transform?: string) {
    const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1];
    this.m22 = scale !== undefined ? Number(scale) : 1;
  }
}

Object.assign(globalThis, { ResizeObserver: ResizeObserverShim, DOMMatrixReadOnly: DOMMatrixReadOnlyShim });
// Sizes in px are the element's own (xyflow sets them on nodes); anything else ('100%', unset) gets a screen's size.
const pixels = (value: string, fallback: number) => (value.endsWith('px') ? parseFloat(value) : fallback);
Object.defineProperties(HTMLElement.prototype, {
  offsetHeight: {
    get() {
      return pixels(this.style.height, 800);
    },
  },
  offsetWidth: {
    get() {
      return pixels(this.style.width, 1200);
    },
  },
});
(SVGElement.prototype as unknown as { getBBox(): object }).getBBox = () => ({ x: 0, y: 0, width: 0, height: 0 });

import { useEffect, useRef } from 'preact/hooks'
import type uPlot from 'uplot'

// A small time-series chart. uPlot (~45 KB) is loaded on first use, so the queue's first load does not carry it.

export interface Series {
  label: string
  values: (number | null)[]
}

export function Chart(props: { times: number[]; series: Series[]; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    let plot: uPlot | undefined
    let cancelled = false
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (cancelled || !box.current) return
      const colours = ['#c0392b', '#2471a3', '#1e8449', '#7d3c98', '#b9770e']
      plot = new UPlot(
        {
          width: Math.max(box.current.clientWidth, 240),
          height: props.height ?? 140,
          series: [
            {},
            ...props.series.map((s, i) => ({ label: s.label, stroke: colours[i % colours.length] })),
          ],
          axes: [{}, { size: 40 }],
        },
        [props.times, ...props.series.map((s) => s.values)],
        box.current,
      )
    })
    return () => {
      cancelled = true
      plot?.destroy()
    }
  }, [props.times, props.series, props.height])
  return <div ref={box} class="chart" data-testid={props.testId} />
}

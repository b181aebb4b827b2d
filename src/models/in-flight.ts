import { UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import type { KfpClientHost, KfpClientOptions } from '../kfp/client.js';
import { runUserCommand } from './sources/command.js';
import type { ModelSourceContext } from './sources/types.js';

/** States of KFP (v1 and v2), Argo, GitHub Actions and most CI/batch systems meaning "not finished yet". */
const ACTIVE = new Set(['pending', 'running', 'queued', 'in_progress', 'requested', 'waiting', 'starting']);
const STATE_KEYS = new Set(['state', 'status', 'phase']);
const KINDS = ['kfp-experiment', 'command'] as const;

export type InFlightRef = { kind: 'command'; command: string } | { kind: 'kfp-experiment'; experiment: string };

export interface InFlight {
  active: boolean;
  /** e.g. "2 of 3 runs active: running, queued". */
  detail: string;
}

/** What a check may use: the model sources' context, and the KFP connection for kfp-experiment:. */
export interface InFlightContext extends ModelSourceContext {
  kfp?: { options: KfpClientOptions; host?: KfpClientHost };
}

export function parseInFlightCheck(text: string): InFlightRef {
  const value = text.trim();
  const colon = value.indexOf(':');
  const kind = colon > 0 ? value.slice(0, colon).trim() : '';
  const rest = value.slice(colon + 1).trim();
  if (!(KINDS as readonly string[]).includes(kind) || !rest) {
    throw new UserError(
      `in-flight-check '${value}' is not understood.${didYouMean(kind || value, KINDS)} Fix: use kfp-experiment:<experiment name> (its KFP runs pending, running or paused; needs kfp-host) or command:<cmd>, a command printing the states of training runs (JSON with state/status/phase fields, or words), e.g. command:gh run list --workflow train.yml --json status.`,
    );
  }
  return kind === 'command' ? { kind, command: rest } : { kind: 'kfp-experiment', experiment: rest };
}

/**
 * The states a command printed: values of `state`/`status`/`phase` fields at any depth when the
 * output is JSON (gh, kubectl -o json, the KFP API), else its words (kubectl -o jsonpath, kfp CLI tables).
 */
export function statesFromOutput(output: string): string[] {
  const text = output.trim();
  if (!text) return [];
  try {
    const found: string[] = [];
    // Bare strings count only at the top (a list of states), never inside objects (names, messages).
    const walk = (v: unknown, top: boolean) => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, top));
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (STATE_KEYS.has(k.toLowerCase()) && typeof x === 'string') found.push(x);
          else walk(x, false);
        }
      } else if (top && typeof v === 'string') found.push(v);
    };
    walk(JSON.parse(text), true);
    return found;
  } catch {
    return text.split(/[\s,;|]+/).filter(Boolean);
  }
}

export function inFlightFromStates(states: string[]): InFlight {
  const active = states.filter((s) => ACTIVE.has(s.toLowerCase().replace(/[\s-]/g, '_')));
  if (active.length === 0)
    return {
      active: false,
      detail: states.length ? `no active state among: ${[...new Set(states)].join(', ')}` : 'nothing reported',
    };
  return {
    active: true,
    detail: `${active.length} active: ${[...new Set(active.map((s) => s.toLowerCase()))].join(', ')}`,
  };
}

export async function checkInFlight(ref: InFlightRef, ctx: InFlightContext): Promise<InFlight> {
  if (ref.kind === 'kfp-experiment') {
    if (!ctx.kfp) throw new Error('internal: a kfp-experiment: check needs the KFP connection');
    // The KFP client loads only for this kind of check (start-up cost of every other run).
    const { kfpExperimentInFlight } = await import('./in-flight-kfp.js');
    return kfpExperimentInFlight(ref.experiment, ctx.kfp);
  }
  const out = await runUserCommand(ref.command, ctx, 'in-flight-check', 5 * 60_000);
  return inFlightFromStates(statesFromOutput(out));
}

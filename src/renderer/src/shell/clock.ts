import { useEffect, useState } from 'react';

/**
 * The current time, re-read every `intervalMs`: one timer per view instead of one per row, and render stays pure
 * (components read the time from state instead of calling Date.now while rendering).
 */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

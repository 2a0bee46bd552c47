import { useEffect, useMemo, useState } from "preact/hooks";
import { ProjectEvents, type LiveStatus } from "./events";

/** One live connection per open project page, closed when the page goes. */
export function useProjectEvents(entity: string, project: string): { events: ProjectEvents; status: LiveStatus } {
  const events = useMemo(() => new ProjectEvents(entity, project), [entity, project]);
  const [status, setStatus] = useState<LiveStatus>(events.status);
  useEffect(() => {
    setStatus(events.status);
    const unsubscribe = events.subscribe({ status: setStatus });
    return () => {
      unsubscribe();
      events.close();
    };
  }, [events]);
  return { events, status };
}

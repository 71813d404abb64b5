import { useContacts } from './store';

/** "Into which list": an existing list, or a new one with its name (manual add and file import share it). */
export function ListTarget(props: {
  label: string;
  nameLabel: string;
  target: string;
  onTarget: (target: string) => void;
  listName: string;
  onListName: (name: string) => void;
  disabled?: boolean;
  required?: boolean;
}) {
  const lists = useContacts((s) => s.lists);
  return (
    <>
      <label>
        {props.label}
        <select
          aria-label={props.label}
          value={props.target}
          onChange={(e) => props.onTarget(e.target.value)}
          disabled={props.disabled}
        >
          <option value="new">New list…</option>
          {lists.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      {props.target === 'new' && (
        <label>
          List name
          <input
            aria-label={props.nameLabel}
            value={props.listName}
            onChange={(e) => props.onListName(e.target.value)}
            disabled={props.disabled}
            required={props.required}
          />
        </label>
      )}
    </>
  );
}

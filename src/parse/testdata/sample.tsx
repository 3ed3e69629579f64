import React from "react";

type Props = { title: string; items: string[]; onSelect: (item: string) => void };

export const List = ({ title, items, onSelect }: Props) => {
  return (
    <div className="list">
      <h1>{title}</h1>
      <ul>
        {items.map((item) => (
          <li key={item} onClick={() => onSelect(item)}>
            {item}
          </li>
        ))}
      </ul>
      {items.length === 0 ? <p className="empty">Nothing to show here.</p> : null}
    </div>
  );
};

export function App() {
  const [selected, setSelected] = React.useState<string | null>(null);
  return <List title="Fruits" items={["apple", "pear", "plum"]} onSelect={setSelected} />;
}

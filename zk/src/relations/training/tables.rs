//! The lookup tables of the training relation and where each entry sits.
//!
//! Every lookup is one key `x + β·y + β²·id` (the table's id, its input `x` and, for a
//! two-column table, its output `y`) checked by one logUp identity at `γ`; `β` and `γ` are the
//! relation's challenges, drawn after every looked-up value is committed.

/// A lookup table: its id, first input, entries and, for a two-column table, its output.
#[derive(Clone, Debug)]
pub struct Table {
    /// Id in the key (`β²·id`).
    pub id: u64,
    /// What it checks, for messages.
    pub name: &'static str,
    /// Smallest input.
    pub x_min: i64,
    /// Outputs per entry, `x_min..x_min + len` (a one-column table's outputs are all 0).
    pub outputs: Vec<i64>,
}

impl Table {
    /// A one-column table of `[x_min, x_min + len)`.
    pub fn range(id: u64, name: &'static str, x_min: i64, len: usize) -> Self {
        Self { id, name, x_min, outputs: vec![0; len] }
    }

    /// A two-column table of `(x, f(x))` for `x` in `[x_min, x_max]`.
    pub fn function(id: u64, name: &'static str, x_min: i64, x_max: i64, f: impl Fn(i64) -> i64) -> Self {
        Self { id, name, x_min, outputs: (x_min..=x_max).map(f).collect() }
    }

    /// Entries.
    pub fn len(&self) -> usize {
        self.outputs.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.outputs.is_empty()
    }

    /// The entry of input `x`, if the table has one.
    pub fn entry(&self, x: i64) -> Option<usize> {
        let index = usize::try_from(x.checked_sub(self.x_min)?).ok()?;
        (index < self.outputs.len()).then_some(index)
    }

    /// The output for `x` (the table's function), if `x` is in the table.
    pub fn output(&self, x: i64) -> Option<i64> {
        self.entry(x).map(|index| self.outputs[index])
    }
}

/// All tables of a relation, laid end to end (multiplicities are one vector).
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// The tables, in id order.
    pub tables: Vec<Table>,
    /// Index of each table's first entry in the concatenation.
    starts: Vec<usize>,
}

impl Tables {
    /// Adds `table` (its id must be the next index) and returns the id.
    pub fn push(&mut self, table: Table) -> u64 {
        debug_assert_eq!(table.id as usize, self.tables.len());
        self.starts.push(self.starts.last().copied().unwrap_or(0) + self.tables.last().map_or(0, Table::len));
        let id = table.id;
        self.tables.push(table);
        id
    }

    /// Entries of all tables.
    pub fn entries(&self) -> usize {
        self.starts.last().copied().unwrap_or(0) + self.tables.last().map_or(0, Table::len)
    }

    /// The table with `id`.
    pub fn table(&self, id: u64) -> &Table {
        &self.tables[id as usize]
    }

    /// Index in the concatenation of the entry for input `x` of table `id`, if any.
    pub fn index(&self, id: u64, x: i64) -> Option<usize> {
        self.tables[id as usize].entry(x).map(|entry| self.starts[id as usize] + entry)
    }

    /// `(table id, input, output)` of every entry, in concatenation order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, i64, i64)> + '_ {
        self.tables.iter().flat_map(|table| {
            table.outputs.iter().enumerate().map(move |(i, &y)| (table.id, table.x_min + i as i64, y))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_by_input_and_laid_end_to_end() {
        let mut tables = Tables::default();
        tables.push(Table::range(0, "r", 0, 4));
        tables.push(Table::function(1, "clamp", -3, 3, |x| x.clamp(-2, 1)));
        assert_eq!(tables.entries(), 11);
        assert_eq!(tables.index(0, 3), Some(3));
        assert_eq!(tables.index(0, 4), None);
        assert_eq!(tables.index(1, -3), Some(4));
        assert_eq!(tables.table(1).output(3), Some(1));
        assert_eq!(tables.table(1).output(-9), None);
        assert_eq!(tables.iter().nth(4), Some((1, -3, -2)));
    }
}

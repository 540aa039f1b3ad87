//! CSV input that a hostile file cannot use to exhaust memory.
//!
//! The `csv` crate buffers a whole record before handing it over, so one endless line
//! (`/dev/zero`, a file without newlines) would grow without bound, and so would a pipe that
//! never ends. [`BoundedCsvInput`] caps every line at [`MAX_LINE_BYTES`] and, where the input
//! is not a regular file (whose size bounds it), the whole input at [`MAX_UNSIZED_CSV_BYTES`].
//! Going over either is an I/O error of kind `InvalidData` that says which limit was hit; the
//! CSV readers report it with the line it happened on.

use std::io::{BufReader, Read};
use std::path::Path;

/// The longest CSV line read (65,536 features of a few dozen characters each fit).
pub const MAX_LINE_BYTES: u64 = 16 << 20;

/// The most bytes read from a CSV input that is not a regular file (a pipe, a device).
pub const MAX_UNSIZED_CSV_BYTES: u64 = 16 << 30;

/// A reader that refuses lines longer than [`MAX_LINE_BYTES`] and, when given a budget,
/// inputs longer than it.
#[derive(Debug)]
pub struct BoundedCsvInput<R> {
    inner: R,
    /// Bytes of the current line so far.
    line_bytes: u64,
    /// Line breaks read so far (so errors can name the line).
    line_breaks: u64,
    budget: Option<u64>,
}

impl<R: Read> BoundedCsvInput<R> {
    /// Wraps `inner`; `budget` caps the whole input (`None`: no cap beyond the lines').
    pub fn new(inner: R, budget: Option<u64>) -> Self {
        Self { inner, line_bytes: 0, line_breaks: 0, budget }
    }
}

fn too_long(what: &str, limit: u64) -> std::io::Error {
    let limit = if limit >= 1 << 30 { format!("{} GiB", limit >> 30) } else { format!("{} MiB", limit >> 20) };
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{what} is longer than {limit}"))
}

impl<R> BoundedCsvInput<R> {
    fn check_line(&self, bytes: u64) -> std::io::Result<()> {
        if bytes > MAX_LINE_BYTES {
            return Err(too_long(&format!("line {}", self.line_breaks + 1), MAX_LINE_BYTES));
        }
        Ok(())
    }
}

impl<R: Read> Read for BoundedCsvInput<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = match self.budget {
            Some(0) => {
                // The budget is spent: the input may end here, or be too long.
                let mut probe = [0u8; 1];
                return match self.inner.read(&mut probe)? {
                    0 => Ok(0),
                    _ => Err(too_long("the input (not a regular file)", MAX_UNSIZED_CSV_BYTES)),
                };
            }
            Some(left) => buf.len().min(usize::try_from(left).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        let read = self.inner.read(&mut buf[..want])?;
        if let Some(left) = &mut self.budget {
            *left -= read as u64;
        }
        // Every line break ends a line that must have fit; what follows the last one goes on.
        let mut start = 0;
        for end in buf[..read].iter().enumerate().filter(|(_, &byte)| byte == b'\n').map(|(at, _)| at) {
            self.check_line(self.line_bytes + (end - start) as u64)?;
            self.line_breaks += 1;
            self.line_bytes = 0;
            start = end + 1;
        }
        self.line_bytes += (read - start) as u64;
        self.check_line(self.line_bytes)?;
        Ok(read)
    }
}

/// A CSV reader's error, sorted: a failure to read is I/O (exit 2); anything the reader
/// refuses, or a line over this module's limits, is invalid data (exit 1) at a line (0 where
/// the reader gives none).
pub(crate) fn classify(err: csv::Error) -> Result<(u64, String), std::io::Error> {
    let (line, reason) = (err.position().map_or(0, |p| p.line()), err.to_string());
    match err.into_kind() {
        csv::ErrorKind::Io(source) if source.kind() != std::io::ErrorKind::InvalidData => Err(source),
        _ => Ok((line, reason)),
    }
}

/// `line N: ` for an error message, nothing for line 0 (the CSV reader gives no position for
/// errors of its input, such as the limits above, whose own message names the line).
pub(crate) fn at_line(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    }
}

/// Opens the CSV at `path` for reading through a [`BoundedCsvInput`]: a regular file is
/// bounded by its size, anything else (a pipe, `/dev/stdin`, a device) by
/// [`MAX_UNSIZED_CSV_BYTES`].
pub fn open_csv(path: &Path) -> std::io::Result<BoundedCsvInput<BufReader<std::fs::File>>> {
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "a directory, not a CSV file"));
    }
    let budget = (!metadata.is_file()).then_some(MAX_UNSIZED_CSV_BYTES);
    Ok(BoundedCsvInput::new(BufReader::new(file), budget))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], budget: Option<u64>) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        BoundedCsvInput::new(input, budget).read_to_end(&mut out)?;
        Ok(out)
    }

    /// The error reading `input` ends with (a long input is not printed on failure).
    fn refusal(input: &[u8], budget: Option<u64>) -> std::io::Error {
        match read_all(input, budget) {
            Ok(out) => panic!("read all {} bytes", out.len()),
            Err(err) => err,
        }
    }

    #[test]
    fn short_lines_pass_unchanged() {
        let text = b"a,b\n1,2\n3,4".to_vec();
        assert_eq!(read_all(&text, None).unwrap(), text);
        assert_eq!(read_all(&text, Some(text.len() as u64)).unwrap(), text);
    }

    #[test]
    fn a_line_over_the_limit_is_refused_and_newlines_reset_the_count() {
        let long = vec![b'x'; MAX_LINE_BYTES as usize + 1];
        let err = refusal(&long, None);
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("line 1 is longer than 16 MiB"), "{err}");
        let mut lines = vec![b'x'; MAX_LINE_BYTES as usize];
        lines.push(b'\n');
        lines.extend(vec![b'y'; MAX_LINE_BYTES as usize]);
        assert_eq!(read_all(&lines, None).unwrap().len(), lines.len());
        // The line break arriving with the line's last bytes does not excuse its length.
        lines.extend(b"yy\nz");
        let err = refusal(&lines, None);
        assert!(err.to_string().contains("line 2 is longer than 16 MiB"), "{err}");
    }

    #[test]
    fn an_input_over_its_budget_is_refused() {
        let err = refusal(b"1,2\n3,4\n", Some(4));
        assert!(err.to_string().contains("the input (not a regular file) is longer than 16 GiB"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_zero_stops_at_the_line_limit() {
        let mut out = Vec::new();
        let err = open_csv(Path::new("/dev/zero")).unwrap().read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("line 1 is longer"), "{err}");
        assert!(out.len() as u64 <= MAX_LINE_BYTES + (64 << 10), "read {} bytes", out.len());
    }
}

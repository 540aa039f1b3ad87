//! NVRTC, NVIDIA's run-time CUDA compiler, loaded dynamically: kernels are compiled to PTX on
//! the machine that runs them, so building vsies needs no CUDA toolkit, and a test compiles
//! every kernel on machines without a GPU. `scripts/install-nvrtc.sh` installs the pinned
//! library into `.tools/nvrtc`; `VSIES_NVRTC_DIR` names another folder.

use crate::source::{headers, SourceFile};
use libloading::os::unix::{Library, Symbol, RTLD_GLOBAL, RTLD_NOW};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};

/// Why NVRTC could not compile a kernel.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NvrtcError {
    /// The library is not there.
    #[error("NVRTC not found in {0} (run scripts/install-nvrtc.sh, or set VSIES_NVRTC_DIR): {1}")]
    NotFound(PathBuf, String),
    /// An NVRTC call failed.
    #[error("NVRTC {call} failed with status {status}")]
    Call {
        /// The function.
        call: &'static str,
        /// Its `nvrtcResult`.
        status: c_int,
    },
    /// The kernel did not compile.
    #[error("{name} does not compile under NVRTC:\n{log}")]
    Compile {
        /// The program.
        name: String,
        /// NVRTC's log.
        log: String,
    },
}

type Program = *mut c_void;
type CreateProgram = unsafe extern "C" fn(
    *mut Program,
    *const c_char,
    *const c_char,
    c_int,
    *const *const c_char,
    *const *const c_char,
) -> c_int;
type CompileProgram = unsafe extern "C" fn(Program, c_int, *const *const c_char) -> c_int;
type GetSize = unsafe extern "C" fn(Program, *mut usize) -> c_int;
type GetText = unsafe extern "C" fn(Program, *mut c_char) -> c_int;
type DestroyProgram = unsafe extern "C" fn(*mut Program) -> c_int;
type Version = unsafe extern "C" fn(*mut c_int, *mut c_int) -> c_int;

/// A loaded NVRTC.
pub struct Nvrtc {
    library: Library,
    // Kept loaded: libnvrtc opens its builtins library by name.
    _builtins: Option<Library>,
}

/// The folder NVRTC is loaded from: `VSIES_NVRTC_DIR`, else the project's `.tools/nvrtc`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("VSIES_NVRTC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/nvrtc/nvidia/cuda_nvrtc/lib"))
}

fn check(call: &'static str, status: c_int) -> Result<(), NvrtcError> {
    if status == 0 {
        Ok(())
    } else {
        Err(NvrtcError::Call { call, status })
    }
}

impl Nvrtc {
    /// Loads `libnvrtc.so.12` (and its builtins library) from `dir`.
    pub fn load(dir: &Path) -> Result<Self, NvrtcError> {
        let not_found = |e: libloading::Error| NvrtcError::NotFound(dir.to_path_buf(), e.to_string());
        let builtins = std::fs::read_dir(dir)
            .ok()
            .and_then(|entries| {
                entries.flatten().map(|e| e.path()).find(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libnvrtc-builtins.so"))
                })
            })
            // SAFETY: loading NVIDIA's library runs only its initialisers.
            .map(|path| unsafe { Library::open(Some(&path), RTLD_NOW | RTLD_GLOBAL) })
            .transpose()
            .map_err(not_found)?;
        // SAFETY: as above.
        let library =
            unsafe { Library::open(Some(dir.join("libnvrtc.so.12")), RTLD_NOW | RTLD_GLOBAL) }.map_err(not_found)?;
        Ok(Self { library, _builtins: builtins })
    }

    fn symbol<T>(&self, name: &'static [u8]) -> Result<Symbol<T>, NvrtcError> {
        // SAFETY: the types above are NVRTC's published C signatures.
        unsafe { self.library.get(name) }.map_err(|_| NvrtcError::Call { call: "symbol lookup", status: -1 })
    }

    /// NVRTC's version, `(major, minor)`.
    pub fn version(&self) -> Result<(i32, i32), NvrtcError> {
        let version: Symbol<Version> = self.symbol(b"nvrtcVersion\0")?;
        let (mut major, mut minor) = (0, 0);
        // SAFETY: two valid out-pointers.
        check("nvrtcVersion", unsafe { version(&mut major, &mut minor) })?;
        Ok((major, minor))
    }

    /// Compiles `program` (with every kernel header available to `#include`) to PTX for
    /// `arch` (for example `compute_90`).
    pub fn compile(&self, program: &SourceFile, arch: &str) -> Result<String, NvrtcError> {
        let create: Symbol<CreateProgram> = self.symbol(b"nvrtcCreateProgram\0")?;
        let compile: Symbol<CompileProgram> = self.symbol(b"nvrtcCompileProgram\0")?;
        let log_size: Symbol<GetSize> = self.symbol(b"nvrtcGetProgramLogSize\0")?;
        let log_text: Symbol<GetText> = self.symbol(b"nvrtcGetProgramLog\0")?;
        let ptx_size: Symbol<GetSize> = self.symbol(b"nvrtcGetPTXSize\0")?;
        let ptx_text: Symbol<GetText> = self.symbol(b"nvrtcGetPTX\0")?;
        let destroy: Symbol<DestroyProgram> = self.symbol(b"nvrtcDestroyProgram\0")?;
        let c = |s: &str| CString::new(s).expect("kernel sources have no NUL");
        let source = c(program.text);
        let name = c(program.name);
        let header_texts: Vec<CString> = headers().map(|h| c(h.text)).collect();
        let header_names: Vec<CString> = headers().map(|h| c(h.name)).collect();
        let text_pointers: Vec<*const c_char> = header_texts.iter().map(|s| s.as_ptr()).collect();
        let name_pointers: Vec<*const c_char> = header_names.iter().map(|s| s.as_ptr()).collect();
        let options = [c(&format!("--gpu-architecture={arch}")), c("--std=c++17")];
        let option_pointers: Vec<*const c_char> = options.iter().map(|s| s.as_ptr()).collect();
        let mut handle: Program = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call and the counts match the arrays.
        check("nvrtcCreateProgram", unsafe {
            create(
                &mut handle,
                source.as_ptr(),
                name.as_ptr(),
                text_pointers.len() as c_int,
                text_pointers.as_ptr(),
                name_pointers.as_ptr(),
            )
        })?;
        let read = |size: &Symbol<GetSize>, text: &Symbol<GetText>| -> Result<String, NvrtcError> {
            let mut length = 0usize;
            // SAFETY: a live program handle and valid out-pointers, the buffer sized by NVRTC.
            check("size query", unsafe { size(handle, &mut length) })?;
            let mut buffer = vec![0u8; length.max(1)];
            check("text query", unsafe { text(handle, buffer.as_mut_ptr().cast()) })?;
            Ok(CStr::from_bytes_until_nul(&buffer).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
        };
        // SAFETY: as above.
        let status = unsafe { compile(handle, option_pointers.len() as c_int, option_pointers.as_ptr()) };
        let result = if status == 0 {
            read(&ptx_size, &ptx_text)
        } else {
            Err(NvrtcError::Compile { name: program.name.to_owned(), log: read(&log_size, &log_text)? })
        };
        // SAFETY: the handle came from nvrtcCreateProgram and is destroyed once.
        unsafe { destroy(&mut handle) };
        result
    }
}

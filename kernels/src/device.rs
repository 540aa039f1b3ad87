//! Where a kernel runs: `--device cpu|emulator|cuda|auto`.

use std::fmt;
use std::str::FromStr;

/// An execution target for the paths that have kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Device {
    /// The crates' own CPU code (the default, and the reference).
    #[default]
    Cpu,
    /// The kernels' CUDA sources run by the CPU emulator (for tests and CI).
    Emulator,
    /// An NVIDIA GPU through cudarc (the `cuda` feature).
    Cuda,
}

/// Why a device cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// A name that is not a device.
    #[error("unknown device {0:?}: expected cpu, emulator, cuda or auto")]
    Unknown(String),
    /// The CUDA path is not in this build.
    #[error("this build of vsies has no CUDA launch path: build it with `--features cuda` (docs/GPU.md)")]
    CudaUnavailable,
    /// The CUDA path is built but no GPU opened (driver, device or NVRTC missing).
    #[error("--device cuda: {0}")]
    CudaFailed(String),
}

impl Device {
    /// `auto`: CUDA when this build has the launch path and a GPU opens, else the CPU.
    pub fn auto() -> Self {
        if cfg!(feature = "cuda") && Self::Cuda.check().is_ok() {
            Self::Cuda
        } else {
            Self::Cpu
        }
    }

    /// Checks that this device can run kernels in this build: for CUDA, opens the process's
    /// GPU and compiles the kernels (once), so a missing GPU is reported before any work.
    pub fn check(self) -> Result<Self, DeviceError> {
        match self {
            Self::Cuda => open_cuda().map(|()| self),
            other => Ok(other),
        }
    }
}

#[cfg(feature = "cuda")]
fn open_cuda() -> Result<(), DeviceError> {
    crate::cuda::shared().map(drop).map_err(|error| DeviceError::CudaFailed(error.to_string()))
}

#[cfg(not(feature = "cuda"))]
fn open_cuda() -> Result<(), DeviceError> {
    Err(DeviceError::CudaUnavailable)
}

impl FromStr for Device {
    type Err = DeviceError;

    fn from_str(name: &str) -> Result<Self, DeviceError> {
        match name {
            "cpu" => Ok(Self::Cpu),
            "emulator" => Ok(Self::Emulator),
            "cuda" => Ok(Self::Cuda),
            "auto" => Ok(Self::auto()),
            other => Err(DeviceError::Unknown(other.to_owned())),
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Emulator => "emulator",
            Self::Cuda => "cuda",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse_and_cuda_needs_the_feature_and_a_gpu() {
        for device in [Device::Cpu, Device::Emulator, Device::Cuda] {
            assert_eq!(device.to_string().parse::<Device>(), Ok(device));
        }
        assert!(matches!("gpu".parse::<Device>(), Err(DeviceError::Unknown(_))));
        assert_eq!(Device::Emulator.check(), Ok(Device::Emulator));
        assert_eq!(Device::Cpu.check(), Ok(Device::Cpu));
        // `auto` is CUDA exactly when CUDA checks out.
        let cuda = Device::Cuda.check();
        assert_eq!("auto".parse::<Device>(), Ok(if cuda.is_ok() { Device::Cuda } else { Device::Cpu }));
        if cfg!(feature = "cuda") {
            assert!(!matches!(cuda, Err(DeviceError::CudaUnavailable)), "{cuda:?}");
        } else {
            assert_eq!(cuda, Err(DeviceError::CudaUnavailable));
        }
    }
}

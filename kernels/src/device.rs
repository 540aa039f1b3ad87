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
    #[error("this build of vsies has no CUDA launch path yet (docs/GPU.md)")]
    CudaUnavailable,
}

impl Device {
    /// `auto`: CUDA when this build can launch on a GPU, else the CPU.
    pub fn auto() -> Self {
        Self::Cpu
    }

    /// Checks that this device can run kernels in this build.
    pub fn check(self) -> Result<Self, DeviceError> {
        match self {
            Self::Cuda => Err(DeviceError::CudaUnavailable),
            other => Ok(other),
        }
    }
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
    fn devices_parse_and_cuda_is_refused_in_this_build() {
        for device in [Device::Cpu, Device::Emulator, Device::Cuda] {
            assert_eq!(device.to_string().parse::<Device>(), Ok(device));
        }
        assert_eq!("auto".parse::<Device>(), Ok(Device::Cpu));
        assert!(matches!("gpu".parse::<Device>(), Err(DeviceError::Unknown(_))));
        assert_eq!(Device::Cuda.check(), Err(DeviceError::CudaUnavailable));
        assert_eq!(Device::Emulator.check(), Ok(Device::Emulator));
    }
}

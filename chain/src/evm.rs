//! An in-memory chain: funded accounts, no gas price, every transaction committed, gas
//! reported as revm meters it.

use crate::error::ChainError;
use revm::context::TxEnv;
use revm::context_interface::result::{ExecutionResult, Output};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::{Address, Bytes, TxKind, U256};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use std::collections::HashMap;

/// Gas limit of every transaction (a mainnet block holds 30M).
pub const GAS_LIMIT: u64 = 16_000_000;

/// A chain in memory.
pub struct Chain {
    evm: revm::handler::MainnetEvm<revm::handler::MainnetContext<CacheDB<EmptyDB>>>,
    nonces: HashMap<Address, u64>,
}

/// A successful transaction.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// Gas used, intrinsic gas included.
    pub gas: u64,
    /// Returned data.
    pub output: Vec<u8>,
    /// The created contract, for a deployment.
    pub created: Option<Address>,
    /// Emitted logs: topics and data.
    pub logs: Vec<Log>,
}

/// An emitted log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Topic 0 is the event's signature hash.
    pub topics: Vec<[u8; 32]>,
    /// The non-indexed arguments, ABI-encoded.
    pub data: Vec<u8>,
}

impl Receipt {
    /// The logs of the event with `signature` (e.g. `Slashed(address,uint64,uint256,uint8)`).
    pub fn events<'a>(&'a self, signature: &str) -> impl Iterator<Item = &'a Log> + 'a {
        let topic = revm::primitives::keccak256(signature.as_bytes()).0;
        self.logs.iter().filter(move |log| log.topics.first() == Some(&topic))
    }
}

impl Chain {
    /// A chain where every account in `funded` holds 10^27 wei.
    pub fn new(funded: &[Address]) -> Self {
        let mut db = CacheDB::<EmptyDB>::default();
        for &account in funded {
            let info = revm::state::AccountInfo { balance: U256::from(10u128.pow(27)), ..Default::default() };
            db.insert_account_info(account, info);
        }
        let evm = Context::mainnet().with_db(db).build_mainnet();
        Self { evm, nonces: HashMap::new() }
    }

    /// Sends a transaction from `caller`.
    pub fn transact(
        &mut self,
        caller: Address,
        kind: TxKind,
        data: Vec<u8>,
        value: U256,
    ) -> Result<Receipt, ChainError> {
        let nonce = self.nonces.entry(caller).or_default();
        let tx = TxEnv::builder()
            .caller(caller)
            .kind(kind)
            .data(Bytes::from(data))
            .value(value)
            .gas_limit(GAS_LIMIT)
            .nonce(*nonce)
            .build()
            .map_err(|err| ChainError::Failed(format!("{err:?}")))?;
        *nonce += 1;
        match self.evm.transact_commit(tx).map_err(|err| ChainError::Failed(format!("{err:?}")))? {
            ExecutionResult::Success { gas, output, logs, .. } => {
                let created = match &output {
                    Output::Create(_, address) => *address,
                    Output::Call(_) => None,
                };
                Ok(Receipt {
                    gas: gas.total_gas_spent(),
                    output: output.into_data().to_vec(),
                    created,
                    logs: logs
                        .iter()
                        .map(|log| Log {
                            topics: log.data.topics().iter().map(|topic| topic.0).collect(),
                            data: log.data.data.to_vec(),
                        })
                        .collect(),
                })
            }
            ExecutionResult::Revert { output, .. } => Err(ChainError::Revert(hex(&output))),
            other => Err(ChainError::Failed(format!("{other:?}"))),
        }
    }

    /// Calls `to` from `caller` with no value.
    pub fn call(&mut self, caller: Address, to: Address, data: Vec<u8>) -> Result<Receipt, ChainError> {
        self.transact(caller, TxKind::Call(to), data, U256::ZERO)
    }

    /// Deploys `bytecode` (with its constructor arguments appended) from `caller`, sending
    /// `value`; returns the contract's address and the gas used.
    pub fn deploy(&mut self, caller: Address, bytecode: Vec<u8>, value: U256) -> Result<(Address, u64), ChainError> {
        let receipt = self.transact(caller, TxKind::Create, bytecode, value)?;
        let address = receipt.created.ok_or_else(|| ChainError::Failed("the deployment created nothing".into()))?;
        Ok((address, receipt.gas))
    }

    /// Adds `amount` wei to `account`'s balance (a faucet, for simulated networks).
    pub fn fund(&mut self, account: Address, amount: U256) {
        use revm::context_interface::ContextTr;
        use revm::Database;
        let db = self.evm.ctx.db_mut();
        let mut info = db.basic(account).ok().flatten().unwrap_or_default();
        info.balance += amount;
        db.insert_account_info(account, info);
    }

    /// The balance of `account`.
    pub fn balance(&mut self, account: Address) -> U256 {
        use revm::context_interface::ContextTr;
        use revm::Database;
        self.evm.ctx.db_mut().basic(account).ok().flatten().map_or(U256::ZERO, |info| info.balance)
    }
}

/// A call's intrinsic gas: 21,000 plus 4 per zero and 16 per other calldata byte.
pub fn intrinsic_gas(calldata: &[u8]) -> u64 {
    21_000 + calldata.iter().map(|&byte| if byte == 0 { 4 } else { 16 }).sum::<u64>()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! What a simulated subnet reports: per round and node, whether its work was accepted (or why
//! not), its compute weight and data score, reward, slash and gas; per round, the global
//! model's content id, store CID and test accuracy. Written as `report.json`, printed as a
//! Markdown table, and plotted as `report.svg` (accuracy, and cumulative rewards per node).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One node in one round.
#[derive(Clone, Debug, Serialize)]
pub struct NodeRound {
    /// The node's number.
    pub node: usize,
    /// `accepted`, `skipped`, `removed`, or `slashed: …` / `refused: …` with the reason.
    pub status: String,
    /// Compute weight the vault recorded (compute × (10,000 + loyalty bonus)).
    pub weight: String,
    /// Data score the vault recorded (rows × KL in WAD nats).
    pub score: String,
    /// Wei claimed for the round.
    pub reward: String,
    /// Wei slashed in the round.
    pub slashed: String,
    /// Gas of the node's transactions in the round.
    pub gas: u64,
    /// Seconds proving (training and update).
    pub prove_seconds: f64,
    /// The full reason of a refusal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A transaction the run sent to the chain.
#[derive(Clone, Debug, Serialize)]
pub struct Transaction {
    /// The vault's open round when it was sent.
    pub round: u64,
    /// The sender (`0x…`).
    pub from: String,
    /// The call (`submit`, `closeRound`, …).
    pub call: String,
    /// Gas used.
    pub gas: u64,
}

/// One round.
#[derive(Clone, Debug, Serialize)]
pub struct RoundReport {
    /// The round.
    pub round: u64,
    /// Every node.
    pub nodes: Vec<NodeRound>,
    /// Nodes whose updates were summed.
    pub aggregated: Vec<usize>,
    /// Members who decrypted.
    pub decrypting_members: Vec<usize>,
    /// The next global model's content id (its canonical encoding).
    pub model_content_id: String,
    /// The next global model's store CID (what the checkpoint signs).
    pub model_cid: String,
    /// Test accuracy of the next global model.
    pub accuracy: f64,
    /// Whether the decrypted FedAvg is plaintext FedAvg of the aggregated nodes' models.
    pub equals_plaintext_fedavg: bool,
    /// Gas of the checkpoint transaction.
    pub checkpoint_gas: u64,
    /// The round's compute and data pools, in wei.
    pub pools: [String; 2],
    /// Seconds for the round.
    pub seconds: f64,
}

/// The whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Nodes.
    pub nodes: usize,
    /// Committee `M/T`.
    pub committee: String,
    /// The seed.
    pub seed: u64,
    /// Rows per shard, and rows held out for accuracy.
    pub rows: [usize; 2],
    /// Adversaries, by node.
    pub adversaries: BTreeMap<usize, String>,
    /// Who ran each Groth16 setup.
    pub setup_by: String,
    /// Setup seconds and deployment gas.
    pub setup: BTreeMap<String, f64>,
    /// Every round.
    pub rounds: Vec<RoundReport>,
    /// Wei each node was paid over the run, and slashed.
    pub totals: BTreeMap<usize, [String; 2]>,
    /// Every transaction that succeeded, with its gas (deployments are in `setup`).
    pub transactions: Vec<Transaction>,
}

impl Report {
    /// The Markdown summary: one table row per round and node, then per round the model.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "| round | node | status | weight | score | reward (wei) | slashed (wei) | gas |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
        for round in &self.rounds {
            for node in &round.nodes {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    round.round, node.node, node.status, node.weight, node.score, node.reward, node.slashed, node.gas
                );
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "| round | aggregated | members | accuracy | = plaintext FedAvg | model |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for round in &self.rounds {
            let _ = writeln!(
                out,
                "| {} | {:?} | {:?} | {:.4} | {} | {} |",
                round.round,
                round.aggregated,
                round.decrypting_members,
                round.accuracy,
                round.equals_plaintext_fedavg,
                round.model_content_id
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "| round | seconds | accepted | proving s / accepted node | gas / accepted node | checkpoint gas |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for round in &self.rounds {
            let accepted: Vec<&NodeRound> = round.nodes.iter().filter(|node| node.status == "accepted").collect();
            let count = accepted.len().max(1) as f64;
            let proving: f64 = accepted.iter().map(|node| node.prove_seconds).sum::<f64>() / count;
            let gas: f64 = accepted.iter().map(|node| node.gas as f64).sum::<f64>() / count;
            let _ = writeln!(
                out,
                "| {} | {:.1} | {} | {proving:.2} | {gas:.0} | {} |",
                round.round,
                round.seconds,
                accepted.len(),
                round.checkpoint_gas
            );
        }
        out
    }

    /// The SVG: test accuracy over the rounds, and each node's cumulative reward.
    pub fn svg(&self) -> Result<String, String> {
        use plotters::prelude::*;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (900, 700)).into_drawing_area();
            root.fill(&WHITE).map_err(|err| err.to_string())?;
            let (top, bottom) = root.split_vertically(300);
            let rounds = self.rounds.last().map_or(1, |round| round.round) as f64;
            let mut accuracy = ChartBuilder::on(&top)
                .caption("global model: test accuracy", ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(0f64..rounds, 0f64..1f64)
                .map_err(|err| err.to_string())?;
            accuracy.configure_mesh().x_desc("round").draw().map_err(|err| err.to_string())?;
            let points: Vec<(f64, f64)> =
                self.rounds.iter().map(|round| (round.round as f64, round.accuracy)).collect();
            accuracy.draw_series(LineSeries::new(points, &BLUE)).map_err(|err| err.to_string())?;
            let cumulative = self.cumulative_rewards();
            let top_reward = cumulative.values().flatten().fold(0f64, |a, (_, b)| a.max(*b)).max(1e-9);
            let mut rewards = ChartBuilder::on(&bottom)
                .caption("cumulative reward per node (ETH)", ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(30)
                .y_label_area_size(60)
                .build_cartesian_2d(0f64..rounds, 0f64..top_reward * 1.05)
                .map_err(|err| err.to_string())?;
            rewards.configure_mesh().x_desc("round").draw().map_err(|err| err.to_string())?;
            for (i, (node, values)) in cumulative.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                let points: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
                    .chain(values.iter().map(|(round, value)| (*round as f64, *value)))
                    .collect();
                rewards
                    .draw_series(LineSeries::new(points, color))
                    .map_err(|err| err.to_string())?
                    .label(format!("node {node}"))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            }
            rewards.configure_series_labels().border_style(BLACK).draw().map_err(|err| err.to_string())?;
            root.present().map_err(|err| err.to_string())?;
        }
        Ok(svg)
    }

    /// Each node's cumulative reward in ETH after every round: (round, reward).
    fn cumulative_rewards(&self) -> BTreeMap<usize, Vec<(u64, f64)>> {
        let mut out: BTreeMap<usize, Vec<(u64, f64)>> = BTreeMap::new();
        for round in &self.rounds {
            for node in &round.nodes {
                let paid = node.reward.parse::<f64>().unwrap_or(0.0) / 1e18;
                let values = out.entry(node.node).or_default();
                let last = values.last().map_or(0.0, |(_, value)| *value);
                values.push((round.round, last + paid));
            }
        }
        out
    }
}

//! DermaChart's binary: parses the command line and hands over to the library.
use clap::Parser;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    dermachart::telemetry::init();
    let cli = dermachart::cli::Cli::parse();
    dermachart::run(cli).await
}

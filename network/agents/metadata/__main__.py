from network.agents.metadata.agent import main

main()

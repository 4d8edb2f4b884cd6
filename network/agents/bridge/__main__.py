from network.agents.bridge.agent import main

main()
